//! Shutdown signals for the `tessera` and `tessera-worker` processes: ctrl-c or SIGTERM.
//!
//! The handlers are installed when [`Shutdown::install`] returns, so a process can say it is
//! ready right after and a SIGTERM arriving at once still means a graceful stop (not the
//! default action, which kills the process).

/// Installed shutdown handlers; [`Shutdown::wait`] resolves on the first signal.
#[derive(Debug)]
pub struct Shutdown {
    #[cfg(unix)]
    terminate: Option<tokio::signal::unix::Signal>,
}

impl Shutdown {
    /// Installs the SIGTERM handler now (ctrl-c is handled by tokio from the first poll of
    /// [`Shutdown::wait`]). A handler that cannot be installed is logged and never fires.
    pub fn install() -> Shutdown {
        #[cfg(unix)]
        let terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => Some(signal),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen for SIGTERM");
                    None
                }
            };
        Shutdown {
            #[cfg(unix)]
            terminate,
        }
    }

    /// Resolves on ctrl-c or SIGTERM.
    pub async fn wait(self) {
        let ctrl_c = async {
            if let Err(e) = tokio::signal::ctrl_c().await {
                tracing::warn!(error = %e, "cannot listen for ctrl-c");
                std::future::pending::<()>().await;
            }
        };
        #[cfg(unix)]
        let terminate = async move {
            match self.terminate {
                Some(mut signal) => {
                    signal.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let terminate = std::future::pending::<()>();
        tokio::select! {
            () = ctrl_c => {},
            () = terminate => {},
        }
        tracing::info!("shutting down");
    }
}
