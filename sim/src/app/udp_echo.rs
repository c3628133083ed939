//! Echoes every UDP datagram on its port back to the sender.
//!
//! Runs for the whole run. Metrics: `echoed` (datagrams sent back),
//! `bytes`, `dropped` (echoes the send queue could not take).

use seqs::socket::{Handle, Udp};

use super::{App, AppCx, AppResult, UdpEchoConfig};
use crate::host::udp_socket;
use crate::time::SimTime;

pub(crate) struct UdpEcho {
    port: u16,
    handle: Option<Handle<Udp>>,
    echoed: u64,
    bytes: u64,
    dropped: u64,
}

impl UdpEcho {
    pub fn new(config: UdpEchoConfig) -> Self {
        UdpEcho {
            port: config.port,
            handle: None,
            echoed: 0,
            bytes: 0,
            dropped: 0,
        }
    }

    fn open(&mut self, cx: &mut AppCx<'_, '_>, result: &mut AppResult) {
        let Some(h) = cx.stack.add_udp_socket(udp_socket(cx.caps)) else {
            return result.fail("no socket for udp echo");
        };
        if cx.stack.bind_udp(h, self.port).is_err() {
            cx.stack.remove_socket(h);
            return result.fail(format!("port {} unavailable", self.port));
        }
        self.handle = Some(h);
    }
}

impl App for UdpEcho {
    fn poll(&mut self, cx: &mut AppCx<'_, '_>, result: &mut AppResult) -> bool {
        let Some(h) = self.handle else {
            self.open(cx, result);
            return true;
        };
        let Some(socket) = cx.stack.udp(h) else {
            return false;
        };
        let mut acted = false;
        while let Ok((data, meta)) = socket.recv() {
            let data = data.to_vec();
            acted = true;
            if socket.send_slice(&data, meta.remote).is_ok() {
                self.echoed += 1;
                self.bytes += data.len() as u64;
            } else {
                self.dropped += 1;
            }
        }
        result.set("echoed", self.echoed);
        result.set("bytes", self.bytes);
        result.set("dropped", self.dropped);
        acted
    }

    fn poll_at(&self) -> Option<SimTime> {
        None
    }
}
