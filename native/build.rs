// Links the system compression libraries (Debian: libzstd-dev liblz4-dev libsnappy-dev).
// A missing library fails the link; scripts/build-native.mjs turns that into a warning.
fn main() {
    for lib in ["zstd", "lz4", "snappy"] {
        println!("cargo:rustc-link-lib=dylib={lib}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
