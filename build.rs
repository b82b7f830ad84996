//! Links the `loupe` binary as a position-dependent executable on Linux. A position-independent
//! one has 28,000 relocations that the dynamic loader applies, writing 130 pages of the binary,
//! at every start: 0.4 ms, a tenth of a whole search (`BENCHMARKS.md`). Libraries, heap, stack
//! and the index's mapped files are still placed at random addresses.

fn main() {
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    let gnu_like = std::env::var("CARGO_CFG_TARGET_ENV").is_ok_and(|env| env == "gnu");
    if linux && gnu_like {
        println!("cargo::rustc-link-arg-bin=loupe=-no-pie");
    }
    println!("cargo::rerun-if-changed=build.rs");
}
