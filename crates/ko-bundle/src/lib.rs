//! Offline bundles: everything a cluster needs, in one signed zip the laptop carries.
//!
//! * [`BundleSource`] is a recipe in `bundles/*.toml`: every file with its upstream URL and the
//!   checksum its project publishes (and where that checksum was published).
//! * [`fetch`] downloads a recipe's files (parallel, resumable, retried, checked), from upstream or
//!   through [`Mirror`]s.
//! * [`build`] turns a recipe plus a directory of downloaded files into a zip with a
//!   `manifest.json` ([`BundleManifest`]: every file with size and SHA-256). Already-compressed
//!   files are stored, the rest deflated.
//! * [`sign`] / [`verify`] add and check an ed25519 signature of the manifest (`manifest.sig`)
//!   against trusted public keys; [`verify`] also re-hashes every file and refuses unsafe paths,
//!   symlinks, duplicates and files the manifest does not list.
//! * [`extract`] writes a verified bundle into a directory, nothing outside it, atomically.

mod build;
mod download;
mod error;
mod manifest;
mod mirror;
mod oci;
mod signing;
mod source;
mod verify;

pub use build::{BuildReport, WriteProgress, build, sha256_file};
pub use download::{FetchOptions, FetchProgress, FetchReport, fetch};
pub use error::{BundleError, Result};
pub use manifest::{BundleFile, BundleManifest, DeltaBase, FileKind, MANIFEST_NAME, SIGNATURE_NAME, check_entry_path};
pub use mirror::{Mirror, PullFrom, mirrored_image, mirrored_url};
pub use oci::{ImageRef, pull_image, verify_image_archive};
pub use signing::{SigningKey, TrustedKey, sign};
pub use source::{BundleSource, PINNED_AT_BUILD, Pin, PlannedEntry, SourceFile, SourceImage, UpstreamChecksum};
pub use verify::{BaseDir, Signature, VerifyReport, diff, extract, read_manifest, verify};
