//! A TCP echo service (RFC 862) on port 7: the async socket API of
//! `seqs-embassy` as an embedded user writes it. One connection at a time;
//! each byte read is written back until the peer closes.

use embassy_sync::blocking_mutex::raw::RawMutex;
use embassy_time::{Duration, Timer};
use embedded_io_async::{Read, Write};
use seqs_embassy::{Error, Node, TcpSocket};

/// The echo port of RFC 862.
pub const PORT: u16 = 7;
/// Each direction's TCP buffer: an echo needs little.
const BUFFER: usize = 512;
/// Pause before listening again after a failed accept, so a socket that
/// cannot listen yet (a RST still to send) is not retried in a busy loop.
const RETRY: Duration = Duration::from_millis(100);

/// The service's socket buffers, part of the firmware's one static.
pub type Buffers = crate::app::TcpBuffers<BUFFER>;

/// Serves one client after another on `socket`, forever.
pub async fn serve<'a, M: RawMutex, N: Node<'a>, const W: usize>(
    mut socket: TcpSocket<'_, 'a, M, N, W>,
) -> ! {
    let mut buf = [0u8; 128];
    loop {
        match socket.accept(PORT).await {
            Ok(_peer) => {
                // A reset ends the exchange as surely as a close does.
                let _ = echo(&mut socket, &mut buf).await;
                socket.close();
                socket.wait_closed().await;
            }
            Err(_) => Timer::after(RETRY).await,
        }
        // Out of TIME-WAIT (rare: only when this end closed first, as when
        // `echo` ended early or both closed at once): closed, ready for
        // the next client.
        socket.abort();
    }
}

/// Writes back what it reads until end of stream.
async fn echo<S: Read<Error = Error> + Write<Error = Error>>(
    socket: &mut S,
    buf: &mut [u8],
) -> Result<(), Error> {
    loop {
        let n = socket.read(buf).await?;
        let Some(data) = buf.get(..n).filter(|d| !d.is_empty()) else {
            return Ok(());
        };
        socket.write_all(data).await?;
    }
}

#[cfg(test)]
mod tests;
