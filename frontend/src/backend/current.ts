// The backend this build talks to: `koctl serve` over HTTP (the Tauri backend joins with the shell).
import type { Backend } from './index'
import { httpBackend } from './http'

export const backend: Backend = httpBackend
