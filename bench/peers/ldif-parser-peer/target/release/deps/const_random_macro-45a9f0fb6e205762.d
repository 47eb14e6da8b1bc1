/work/main/bench/peers/ldif-parser-peer/target/release/deps/const_random_macro-45a9f0fb6e205762.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/const-random-macro-0.1.16/src/lib.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/const-random-macro-0.1.16/src/span.rs

/work/main/bench/peers/ldif-parser-peer/target/release/deps/libconst_random_macro-45a9f0fb6e205762.so: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/const-random-macro-0.1.16/src/lib.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/const-random-macro-0.1.16/src/span.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/const-random-macro-0.1.16/src/lib.rs:
/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/const-random-macro-0.1.16/src/span.rs:

# env-dep:CONST_RANDOM_SEED
