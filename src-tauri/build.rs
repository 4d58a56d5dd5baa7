//! Tauri's build step: the app manifest, capabilities and icons.

fn main() {
    tauri_build::build()
}
