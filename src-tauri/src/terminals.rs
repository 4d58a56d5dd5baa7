//! Terminals in the window: kubectl terminals (a PTY on this machine, ko-api's
//! `cluster_terminal`) and shells in pods' containers (`cluster_exec`);
//! their output reaches the page over a Channel, keys and resizes come back as commands naming the
//! terminal. Closing it (or the page going) ends the session.

use crate::Desktop;
use crate::error::UiResult;
use ko_api::{ExecTarget, Terminal, TerminalInput, TerminalOutput};
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

    /// Keeps `terminal`'s input under a new id and forwards its output to the page until it
    /// ends or the page goes; the id.
    fn attach(self: &Arc<Self>, mut terminal: Terminal, on_output: Channel<TerminalOutput>) -> u32 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.open().insert(id, terminal.input);
        let terminals = Arc::clone(self);
        tauri::async_runtime::spawn(async move {
            while let Some(out) = terminal.output.recv().await {
                let exit = matches!(out, TerminalOutput::Exit(_));
                if on_output.send(out).is_err() || exit {
                    break;
                }
            }
            // dropping the input ends the session, if the page went first
            terminals.open().remove(&id);
        });
        id
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
    let terminal = d.api.cluster_terminal(&d.actor, &name, cols, rows).await?;
    Ok(d.terminals.attach(terminal, on_output))
}

/// Opens a terminal running `target`'s command in a pod's container on cluster `name` (a shell,
/// usually); its output goes to `on_output`; returns its id (keys, resizes and closing as for a
/// kubectl terminal).
#[tauri::command]
pub async fn exec_open(
    d: State<'_, Desktop>,
    name: String,
    target: ExecTarget,
    cols: u16,
    rows: u16,
    on_output: Channel<TerminalOutput>,
) -> UiResult<u32> {
    let terminal = d.api.cluster_exec(&d.actor, &name, &target, Some((cols, rows))).await?;
    Ok(d.terminals.attach(terminal, on_output))
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
