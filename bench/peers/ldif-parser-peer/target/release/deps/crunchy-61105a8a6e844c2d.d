/work/main/bench/peers/ldif-parser-peer/target/release/deps/crunchy-61105a8a6e844c2d.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/crunchy-0.2.4/src/lib.rs /work/main/bench/peers/ldif-parser-peer/target/release/build/crunchy-f5260ef3736f8290/out/lib.rs

/work/main/bench/peers/ldif-parser-peer/target/release/deps/libcrunchy-61105a8a6e844c2d.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/crunchy-0.2.4/src/lib.rs /work/main/bench/peers/ldif-parser-peer/target/release/build/crunchy-f5260ef3736f8290/out/lib.rs

/work/main/bench/peers/ldif-parser-peer/target/release/deps/libcrunchy-61105a8a6e844c2d.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/crunchy-0.2.4/src/lib.rs /work/main/bench/peers/ldif-parser-peer/target/release/build/crunchy-f5260ef3736f8290/out/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/crunchy-0.2.4/src/lib.rs:
/work/main/bench/peers/ldif-parser-peer/target/release/build/crunchy-f5260ef3736f8290/out/lib.rs:

# env-dep:CRUNCHY_LIB_SUFFIX=/lib.rs
# env-dep:OUT_DIR=/work/main/bench/peers/ldif-parser-peer/target/release/build/crunchy-f5260ef3736f8290/out
