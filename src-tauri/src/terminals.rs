//! kubectl terminals in the window: the PTY runs on this machine (ko-api's `cluster_terminal`);
//! its output reaches the page over a Channel, keys and resizes come back as commands naming the
//! terminal. Closing it (or the page going) ends the shell.

use crate::Desktop;
use crate::error::UiResult;
use ko_api::{TerminalInput, TerminalOutput};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use tauri::State;
use tauri::ipc::Channel;
use tokio::sync::mpsc::UnboundedSender;

/// The open terminals' inputs, by id.
#[derive(Default)]
pub struct Terminals {
    next_id: AtomicU32,
    open: Mutex<HashMap<u32, UnboundedSender<TerminalInput>>>,
}

impl Terminals {
    fn open(&self) -> std::sync::MutexGuard<'_, HashMap<u32, UnboundedSender<TerminalInput>>> {
        self.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn send(&self, id: u32, input: TerminalInput) {
        if let Some(tx) = self.open().get(&id) {
            let _ = tx.send(input);
        }
    }
}

/// Opens a kubectl terminal on cluster `name`; its output goes to `on_output`; returns its id.
#[tauri::command]
pub async fn terminal_open(
    d: State<'_, Desktop>,
    name: String,
    cols: u16,
    rows: u16,
    on_output: Channel<TerminalOutput>,
) -> UiResult<u32> {
    let mut terminal = d.api.cluster_terminal(&d.actor, &name, cols, rows).await?;
    let terminals = Arc::clone(&d.terminals);
    let id = terminals.next_id.fetch_add(1, Ordering::Relaxed);
    terminals.open().insert(id, terminal.input);
    tauri::async_runtime::spawn(async move {
        while let Some(out) = terminal.output.recv().await {
            let exit = matches!(out, TerminalOutput::Exit(_));
            if on_output.send(out).is_err() || exit {
                break;
            }
        }
        // dropping the input ends the shell, if the page went first
        terminals.open().remove(&id);
    });
    Ok(id)
}

/// Keys typed into terminal `id`.
#[tauri::command]
pub fn terminal_input(d: State<'_, Desktop>, id: u32, data: String) {
    d.terminals.send(id, TerminalInput::Data(data.into_bytes()));
}

/// Terminal `id`'s new size.
#[tauri::command]
pub fn terminal_resize(d: State<'_, Desktop>, id: u32, cols: u16, rows: u16) {
    d.terminals.send(id, TerminalInput::Resize { cols, rows });
}

/// Closes terminal `id` (its shell ends).
#[tauri::command]
pub fn terminal_close(d: State<'_, Desktop>, id: u32) {
    d.terminals.open().remove(&id);
}
