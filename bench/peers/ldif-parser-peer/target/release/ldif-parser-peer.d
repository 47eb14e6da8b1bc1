/work/main/bench/peers/ldif-parser-peer/target/release/ldif-parser-peer: /work/main/bench/peers/ldif-parser-peer/src/main.rs
