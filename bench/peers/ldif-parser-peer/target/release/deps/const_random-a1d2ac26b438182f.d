/work/main/bench/peers/ldif-parser-peer/target/release/deps/const_random-a1d2ac26b438182f.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/const-random-0.1.18/src/lib.rs

/work/main/bench/peers/ldif-parser-peer/target/release/deps/libconst_random-a1d2ac26b438182f.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/const-random-0.1.18/src/lib.rs

/work/main/bench/peers/ldif-parser-peer/target/release/deps/libconst_random-a1d2ac26b438182f.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/const-random-0.1.18/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/const-random-0.1.18/src/lib.rs:
