//! A Python progress callback for fits: called with the GIL taken back, at most once per finished
//! skill (not per EM iteration, which would cost more than the iteration) and always with a count
//! above the last one, from whichever thread finished a skill. An exception it raises cancels the
//! fit and is kept to be raised again.

use std::ops::ControlFlow;
use std::sync::Mutex;

use pathwise::Progress;
use pyo3::prelude::*;

/// The optional callback `progress(skills_done, skills_total)` of a fit.
pub(crate) struct SkillCallback {
    callback: Option<Py<PyAny>>,
    /// The last count passed to the callback; held while calling it, so that calls are in order.
    reported: Mutex<usize>,
    error: Mutex<Option<PyErr>>,
}

impl SkillCallback {
    /// Wraps `callback` (none: every report is ignored).
    pub(crate) fn new(callback: Option<Py<PyAny>>) -> Self {
        Self {
            callback,
            reported: Mutex::new(0),
            error: Mutex::new(None),
        }
    }

    /// The fit's progress report: calls the callback when more skills are done than last time.
    pub(crate) fn report(&self, p: Progress) -> ControlFlow<()> {
        self.count(p.skills_done, p.skills_total)
    }

    /// Calls the callback with `(done, total)` when `done` is above the last count passed (any
    /// work counted in steps: skills fitted, model fits of an evaluation).
    pub(crate) fn count(&self, done: usize, total: usize) -> ControlFlow<()> {
        let Some(callback) = &self.callback else {
            return ControlFlow::Continue(());
        };
        let Ok(mut reported) = self.reported.lock() else {
            return ControlFlow::Break(());
        };
        if done <= *reported {
            return ControlFlow::Continue(());
        }
        *reported = done;
        Python::attach(|py| match callback.call1(py, (done, total)) {
            Ok(_) => ControlFlow::Continue(()),
            Err(error) => {
                if let Ok(mut slot) = self.error.lock() {
                    slot.get_or_insert(error);
                }
                ControlFlow::Break(())
            }
        })
    }

    /// The exception the callback raised, if it did.
    pub(crate) fn take_error(&self) -> Option<PyErr> {
        self.error.lock().ok().and_then(|mut slot| slot.take())
    }
}
