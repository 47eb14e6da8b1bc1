/work/main/bench/peers/ldif-parser-peer/target/release/deps/ldif_parser_peer-34942200e5eb5efc.d: src/main.rs

/work/main/bench/peers/ldif-parser-peer/target/release/deps/ldif_parser_peer-34942200e5eb5efc: src/main.rs

src/main.rs:
