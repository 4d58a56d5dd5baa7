//! Files that hold a secret the user asked for (an exported kubeconfig): written whole or not at
//! all, readable by their owner only.

use std::path::Path;

/// Writes `bytes` to `path` through a temporary file that is synced and renamed into place (a crash
/// leaves the old file or the new one, whole), with mode 0600 on Unix (on Windows the file takes
/// its folder's access rules — untested here).
pub fn write_private_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("ko-tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let result = (|| {
        let mut file = options.open(&tmp)?;
        std::io::Write::write_all(&mut file, bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)?;
        #[cfg(unix)]
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::File::open(dir)?.sync_all()?;
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(unix)]
    fn the_file_is_private_even_when_one_was_there() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("config");
        std::fs::write(&path, "old").unwrap_or_else(|e| panic!("{e}"));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap_or_else(|e| panic!("{e}"));
        super::write_private_file(&path, b"new").unwrap_or_else(|e| panic!("{e}"));
        let meta = std::fs::metadata(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (meta.permissions().mode() & 0o777, std::fs::read_to_string(&path).ok()),
            (0o600, Some("new".into()))
        );
        assert_eq!(std::fs::read_dir(dir.path()).map(Iterator::count).ok(), Some(1), "no temporary file left");
    }
}
