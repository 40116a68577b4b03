//! The demo is the example `demo` of this package (`demo/demo.rs`); this library is empty.
