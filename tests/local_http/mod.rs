//! A local HTTP server for the blocking clients' tests: an axum router
//! served on 127.0.0.1 from its own thread and runtime, so that the test
//! itself calls the client's blocking methods outside any runtime.

use axum::Router;

/// Serves `router` on a free port of 127.0.0.1; returns `http://127.0.0.1:PORT`.
pub fn serve(router: Router) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, router).await.unwrap();
        });
    });
    format!("http://{}", rx.recv().unwrap())
}
