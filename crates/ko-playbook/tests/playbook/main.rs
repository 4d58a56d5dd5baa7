//! ko-playbook's tests, one binary: the format, its schema and plans (`format`), and the runner
//! over a scripted transport (`runner`).

mod format;
mod runner;
