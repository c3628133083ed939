//! Raspberry Pi Pico W firmware: the CYW43439 Wi-Fi chip over PIO SPI, a
//! Wi-Fi join with build-time credentials, and the `seqs` application (DHCP,
//! NTP, DNS, HTTP status page and LED endpoints) on the frames the chip
//! carries. The on-board LED (CYW43 GPIO 0) shows the join state until the
//! network is joined, and belongs to the application from then on.
//!
//! Tasks: `radio` runs the CYW43 driver (bus, events, firmware), `frames`
//! runs the `seqs-embassy` [`Runner`] with the application, `echo` serves
//! TCP port 7 on an async socket, and `main` owns the chip's control
//! channel: join, rejoin when the link drops (then have the application
//! re-verify its DHCP lease), and the LED on the application's behalf.
#![no_std]
#![no_main]
#![deny(unsafe_code)]

use core::panic::PanicInfo;

use cyw43::{JoinOptions, PowerManagementMode};
use cyw43_pio::{PioSpi, DEFAULT_CLOCK_DIVIDER};
use embassy_executor::Spawner;
use embassy_futures::select::{select, Either};
use embassy_rp::clocks::RoscRng;
use embassy_rp::gpio::{Level, Output};
use embassy_rp::peripherals::{DMA_CH0, PIO0};
use embassy_rp::{bind_interrupts, dma, pio};
use embassy_sync::blocking_mutex::raw::{CriticalSectionRawMutex, NoopRawMutex};
use embassy_sync::signal::Signal;
use embassy_time::{Duration, Timer};
use seqs::wire::EthernetAddress;
use seqs_embassy::{Net, Runner, TcpSocket};
use seqs_firmware::app::{self, Buffers, Built, SignalLed};
use seqs_firmware::blink::{self, Led};
use seqs_firmware::credentials::{Credentials, Security};
use seqs_firmware::settings::Settings;
use seqs_firmware::wifi::{self, Radio, JOIN_BACKOFF};
use seqs_firmware::{clock, echo};
use static_cell::StaticCell;

bind_interrupts!(struct Irqs {
    PIO0_IRQ_0 => pio::InterruptHandler<PIO0>;
    DMA_IRQ_0 => dma::InterruptHandler<DMA_CH0>;
});

/// Credentials from the build environment; a malformed one stops the build.
const WIFI: Option<Credentials> =
    match Credentials::from_env(option_env!("WIFI_SSID"), option_env!("WIFI_PASSWORD")) {
        Ok(credentials) => credentials,
        Err(e) => panic!("{}", e.message()),
    };

/// `NTP_SERVER` and `LOOKUP_NAME` from the build environment.
const SETTINGS: Settings =
    match Settings::from_env(option_env!("NTP_SERVER"), option_env!("LOOKUP_NAME")) {
        Ok(settings) => settings,
        Err(message) => panic!("{}", message),
    };

type Bus = cyw43::SpiBus<Output<'static>, PioSpi<'static, PIO0, 0>>;

/// The LED state the application asks for, applied by `main` (the owner
/// of the chip's control channel); only the latest request matters.
static LED: Signal<CriticalSectionRawMutex, bool> = Signal::new();

/// The RP2040 has no true random number generator (the RP2350 has one):
/// [`RoscRng`] samples the ring oscillator's jitter bit by bit, the
/// entropy embassy-rp offers on this chip. It seeds nothing: every draw (TCP
/// initial sequence numbers, DHCP/DNS transaction ids, ephemeral ports)
/// reads fresh bits.
type Board = app::Board<'static, RoscRng, SignalLed<CriticalSectionRawMutex>>;

/// Socket operations that can wait at once: the echo service's one, and
/// one spare for a second async service.
const WAITERS: usize = 2;

/// The application and the async sockets on one stack. Every task runs on
/// the one executor thread, so the lock is a no-op.
type Network = Net<'static, NoopRawMutex, Board, WAITERS>;

/// The CYW43 control channel; the LED hangs off the chip's GPIO 0.
struct Chip(cyw43::Control<'static>);

impl Led for Chip {
    async fn set(&mut self, lit: bool) {
        self.0.gpio_set(0, lit).await;
    }
}

#[embassy_executor::task]
async fn radio(runner: cyw43::Runner<'static, Bus>) -> ! {
    runner.run().await
}

#[embassy_executor::task]
async fn frames(
    runner: Runner<'static, 'static, cyw43::NetDriver<'static>, NoopRawMutex, Board, WAITERS>,
) -> ! {
    runner.run().await
}

#[embassy_executor::task]
async fn echo_service(socket: TcpSocket<'static, 'static, NoopRawMutex, Board, WAITERS>) -> ! {
    echo::serve(socket).await
}

#[embassy_executor::main]
async fn main(spawner: Spawner) {
    let p = embassy_rp::init(Default::default());

    // Pico W wiring of the CYW43439: WL_ON on GPIO 23, chip select on 25,
    // and one bidirectional data line (24) clocked by 29, driven by PIO0.
    let power = Output::new(p.PIN_23, Level::Low);
    let select = Output::new(p.PIN_25, Level::High);
    let mut pio = pio::Pio::new(p.PIO0, Irqs);
    let dma = dma::Channel::new(p.DMA_CH0, Irqs);
    let spi = PioSpi::new(
        &mut pio.common,
        pio.sm0,
        DEFAULT_CLOCK_DIVIDER,
        pio.irq0,
        select,
        p.PIN_24,
        p.PIN_29,
        dma,
    );

    static STATE: StaticCell<cyw43::State> = StaticCell::new();
    let state = STATE.init(cyw43::State::new());
    let (driver, control, runner) =
        cyw43::new(state, power, spi, &cyw43_setup::FW, &cyw43_setup::NVRAM).await;
    spawner.spawn(radio(runner).expect("radio task spawned once"));

    let mut chip = Chip(control);
    chip.0.init(cyw43_setup::CLM).await;
    chip.0
        .set_power_management(PowerManagementMode::PowerSave)
        .await;

    let Some(wifi) = WIFI else {
        loop {
            blink::play(&mut chip, blink::NO_CREDENTIALS).await;
        }
    };

    static BUFFERS: StaticCell<Buffers> = StaticCell::new();
    let mac = EthernetAddress(chip.0.address().await);
    let Built { board, echo } = app::build(
        BUFFERS.init_with(Buffers::new),
        &SETTINGS,
        mac,
        RoscRng,
        SignalLed(&LED),
        clock::now(),
    )
    .expect("Buffers is sized for the application");
    static NET: StaticCell<Network> = StaticCell::new();
    let net: &'static Network = NET.init(Net::new(board));

    let mut station = Station { chip, wifi, net };
    let mut backoff = JOIN_BACKOFF;
    wifi::join(&mut station, &mut backoff).await;
    spawner.spawn(frames(Runner::new(net, driver)).expect("frames task spawned once"));
    let echo = TcpSocket::new(net, echo).expect("Buffers has a slot for the echo socket");
    spawner.spawn(echo_service(echo).expect("echo task spawned once"));
    wifi::stay_joined(&mut station, &mut backoff).await
}

/// The board's side of the Wi-Fi decisions: the chip's control channel for
/// joins and the LED, the network for the link state.
struct Station {
    chip: Chip,
    wifi: Credentials,
    net: &'static Network,
}

impl Radio for Station {
    async fn join(&mut self) -> bool {
        let options = match self.wifi.security() {
            Security::Open => JoinOptions::new_open(),
            Security::Passphrase(passphrase) => JoinOptions::new(passphrase.as_bytes()),
        };
        self.chip.0.join(self.wifi.ssid(), options).await.is_ok()
    }

    async fn failed(&mut self, pause: Duration) {
        blink::play(&mut self.chip, blink::JOIN_FAILED).await;
        Timer::after(pause).await;
    }

    /// The LED goes back to the application's state.
    async fn joined(&mut self) {
        let on = self.net.with_node(|board| board.0.led_on());
        self.chip.set(on).await;
    }

    /// `with_node` pokes the runner, which sends the DHCP REQUEST.
    fn relinked(&mut self) {
        self.net.with_node(|board| board.0.link_up(clock::now()));
    }

    /// Serves the application's LED requests while it waits.
    async fn link(&mut self, up: bool) {
        loop {
            match select(LED.wait(), self.net.wait_link(up)).await {
                Either::First(on) => self.chip.set(on).await,
                Either::Second(()) => return,
            }
        }
    }
}

/// Without a probe nobody reads a panic message, and a board that resets
/// comes back on the network; so a panic restarts the chip.
#[panic_handler]
fn panic(_info: &PanicInfo) -> ! {
    cortex_m::peripheral::SCB::sys_reset()
}
