// The backend of this page: the desktop shell's commands inside the Tauri window, `koctl serve`
// over HTTP in a browser.
import type { Backend } from './index'
import { httpBackend } from './http'
import { tauriBackend } from './tauri'

export const backend: Backend = '__TAURI_INTERNALS__' in window ? tauriBackend : httpBackend
