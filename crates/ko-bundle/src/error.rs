//! What can be wrong with a bundle, each with what to do.

/// Result of bundle operations.
pub type Result<T, E = BundleError> = std::result::Result<T, E>;

/// Why a bundle cannot be built, trusted or used.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// A file could not be read or written.
    #[error("{path}: {cause}")]
    Io {
        /// File.
        path: String,
        /// What the OS said.
        cause: String,
    },
    /// Not a zip archive (or a damaged one).
    #[error("{0} is not a bundle: it is not a readable zip archive ({1}); was the download complete?")]
    NotAZip(String, String),
    /// The zip has no manifest.
    #[error("the bundle has no manifest.json; it was not made by `koctl bundle build`")]
    MissingManifest,
    /// The manifest cannot be read.
    #[error("manifest.json is invalid: {0}")]
    BadManifest(String),
    /// The recipe cannot be read.
    #[error("bundle recipe {path} is invalid: {cause}")]
    BadSource {
        /// Recipe file.
        path: String,
        /// What is wrong.
        cause: String,
    },
    /// A mirror (`--mirror FROM=TO`, or a recipe's `[[mirror]]`) is malformed.
    #[error("mirror '{mirror}' is invalid: {cause}")]
    BadMirror {
        /// The mirror as given.
        mirror: String,
        /// What is wrong.
        cause: String,
    },
    /// An entry's path would land outside the target or is otherwise unsafe.
    #[error("unsafe path in bundle: '{path}' ({why}); the bundle was refused and nothing was written")]
    UnsafePath {
        /// Entry name.
        path: String,
        /// Why it is unsafe.
        why: &'static str,
    },
    /// An entry is listed twice.
    #[error("'{0}' appears twice in the bundle; the bundle was refused")]
    Duplicate(String),
    /// A file's bytes differ from the manifest.
    #[error("'{path}' was modified: its SHA-256 is {actual}, the manifest says {expected}; get the bundle again")]
    Tampered {
        /// File.
        path: String,
        /// Manifest digest.
        expected: String,
        /// Actual digest.
        actual: String,
    },
    /// An entry is not the size the manifest gives it (a lying manifest or a zip bomb).
    #[error(
        "'{path}' should be {manifest} bytes but the archive holds {archive}; the bundle was refused (reading stopped there)"
    )]
    SizeMismatch {
        /// File.
        path: String,
        /// Size in the manifest.
        manifest: u64,
        /// Size declared by or read from the archive.
        archive: u64,
    },
    /// A listed file is missing.
    #[error("'{0}' is listed in the manifest but missing from the bundle; get the bundle again")]
    MissingFile(String),
    /// A file is in the zip but not in the manifest.
    #[error("'{0}' is in the bundle but not in its manifest; the bundle was refused")]
    ExtraFile(String),
    /// A delta bundle whose base is not in the library.
    #[error(
        "'{bundle}' is a delta bundle on top of '{base}', which is not in the library: import '{base}' first, or use the complete bundle"
    )]
    BaseMissing {
        /// The delta.
        bundle: String,
        /// Its base.
        base: String,
    },
    /// The library's base lacks bytes the delta leaves to it.
    #[error(
        "the library's '{base}' has no file with the bytes of '{path}' (sha256 {sha256}): it is not the bundle this delta was made on; import the complete bundle instead"
    )]
    BaseMismatch {
        /// The base.
        base: String,
        /// The delta's file.
        path: String,
        /// Its SHA-256.
        sha256: String,
    },
    /// No signature and unsigned bundles are not allowed.
    #[error("the bundle is not signed; import it only if you trust where it came from, with --allow-unsigned")]
    Unsigned,
    /// Signed, but by no trusted key.
    #[error(
        "the bundle is signed by a key you do not trust ({0}); add it with `koctl bundle trust add` if you trust its owner"
    )]
    Untrusted(String),
    /// The signature does not match the manifest.
    #[error("the bundle's signature does not match its manifest: the manifest was changed after signing")]
    BadSignature,
    /// A downloaded or local file does not match its upstream checksum.
    #[error(
        "{file}: {algorithm} is {actual}, but {source_name} publishes {expected}; the file is corrupt or not the release the recipe names"
    )]
    UpstreamMismatch {
        /// File.
        file: String,
        /// sha256 / sha512.
        algorithm: &'static str,
        /// Published digest.
        expected: String,
        /// Actual digest.
        actual: String,
        /// Where the digest was published.
        source_name: String,
    },
    /// A file the recipe needs is not in the source directory.
    #[error("{file} is needed for {component} ({arch}) but is not in {dir}; download it from {url}")]
    NotInSourceDir {
        /// File name.
        file: String,
        /// Component.
        component: String,
        /// Arch.
        arch: String,
        /// Directory searched.
        dir: String,
        /// Where to get it.
        url: String,
    },
    /// A key cannot be used.
    #[error("the signing key is invalid: {0}")]
    BadKey(String),
}

impl BundleError {
    /// A stable code for UIs and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Io { .. } => "bundle.io",
            Self::NotAZip(..) => "bundle.not_a_zip",
            Self::MissingManifest => "bundle.no_manifest",
            Self::BadManifest(_) => "bundle.bad_manifest",
            Self::BadSource { .. } => "bundle.bad_recipe",
            Self::BadMirror { .. } => "bundle.bad_mirror",
            Self::UnsafePath { .. } => "bundle.unsafe_path",
            Self::Duplicate(_) => "bundle.duplicate",
            Self::Tampered { .. } => "bundle.tampered",
            Self::MissingFile(_) => "bundle.missing_file",
            Self::SizeMismatch { .. } => "bundle.size_mismatch",
            Self::ExtraFile(_) => "bundle.extra_file",
            Self::BaseMissing { .. } => "bundle.base_missing",
            Self::BaseMismatch { .. } => "bundle.base_mismatch",
            Self::Unsigned => "bundle.unsigned",
            Self::Untrusted(_) => "bundle.untrusted",
            Self::BadSignature => "bundle.bad_signature",
            Self::UpstreamMismatch { .. } => "bundle.upstream_mismatch",
            Self::NotInSourceDir { .. } => "bundle.file_missing",
            Self::BadKey(_) => "bundle.bad_key",
        }
    }

    pub(crate) fn io(path: &std::path::Path, e: impl std::fmt::Display) -> Self {
        Self::Io { path: path.display().to_string(), cause: e.to_string() }
    }
}
