//! The page's one door to ko-api's operation table ([`ko_api::ops`]): `call` runs the named
//! operation as the OS account (the desktop has no log-in: whoever runs the app owns its data
//! dir and keychain). Operations that start a task answer its id at once and run it in the
//! background; [`crate::follow`] streams its journal. Files and streams have their own commands
//! ([`crate::files`], [`crate::follow`]).

use crate::Desktop;
use crate::error::UiResult;
use ko_api::Me;
use tauri::State;

/// Runs operation `op` on `input` (its input type as JSON); its output as JSON.
#[tauri::command]
pub async fn call(d: State<'_, Desktop>, op: String, input: serde_json::Value) -> UiResult<serde_json::Value> {
    Ok(ko_api::ops::call(&d.api, &d.actor, &op, input).await?)
}

/// Who is acting: the OS account.
#[tauri::command]
pub async fn me(d: State<'_, Desktop>) -> UiResult<Me> {
    Ok(d.api.whoami(&d.actor).await?.into())
}
