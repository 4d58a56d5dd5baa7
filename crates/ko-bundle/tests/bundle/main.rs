//! ko-bundle's tests, one binary: building, signing, verifying and extracting bundles
//! (`archive`), downloads against a real HTTP server (`download`), and images from a real
//! registry (`oci`).

mod archive;
mod download;
mod oci;
