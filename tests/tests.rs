//! End-to-end tests: the built binary against the local emulator (moto, patched to behave like
//! recorded AWS). Each test starts its own emulator, so no state is shared between tests.

mod against_emulator;
mod support;
