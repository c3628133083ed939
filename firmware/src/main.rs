//! Raspberry Pi Pico W firmware: the CYW43439 Wi-Fi chip over PIO SPI, a
//! Wi-Fi join with build-time credentials, and the `seqs` application (DHCP,
//! NTP, DNS, HTTP status page and LED endpoints) on the frames the chip
//! carries. The on-board LED (CYW43 GPIO 0) shows the join state until the
//! network is joined, and belongs to the application from then on.
//!
//! Tasks: `radio` runs the CYW43 driver (bus, events, firmware), `frames`
//! runs the [`Pump`] with the application, and `main` owns the chip's
//! control channel (join, then the LED on the application's behalf).
#![no_std]
#![no_main]
#![deny(unsafe_code)]

use core::panic::PanicInfo;

use cyw43::{JoinOptions, PowerManagementMode};
use cyw43_pio::{PioSpi, DEFAULT_CLOCK_DIVIDER};
use embassy_executor::Spawner;
use embassy_rp::clocks::RoscRng;
use embassy_rp::gpio::{Level, Output};
use embassy_rp::peripherals::{DMA_CH0, PIO0};
use embassy_rp::{bind_interrupts, dma, pio};
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::signal::Signal;
use embassy_time::{Duration, Timer};
use seqs::wire::EthernetAddress;
use seqs_app::App;
use seqs_firmware::app::{self, Buffers, SignalLed};
use seqs_firmware::blink::{self, Led};
use seqs_firmware::clock;
use seqs_firmware::credentials::{Credentials, Security};
use seqs_firmware::pump::Pump;
use seqs_firmware::settings::Settings;
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

/// First and longest pause between failed join attempts.
const JOIN_BACKOFF: (Duration, Duration) = (Duration::from_secs(1), Duration::from_secs(30));

type Bus = cyw43::SpiBus<Output<'static>, PioSpi<'static, PIO0, 0>>;

/// The LED state the application asks for, applied by `main` (the owner
/// of the chip's control channel); only the latest request matters.
static LED: Signal<CriticalSectionRawMutex, bool> = Signal::new();

/// The RP2040 has no true random number generator (the RP2350 has one):
/// [`RoscRng`] samples the ring oscillator's jitter bit by bit, the
/// entropy embassy-rp offers on this chip. It seeds nothing: every draw (TCP
/// initial sequence numbers, DHCP/DNS transaction ids, ephemeral ports)
/// reads fresh bits.
type Application = App<'static, RoscRng, SignalLed<CriticalSectionRawMutex>>;

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
async fn frames(pump: Pump<cyw43::NetDriver<'static>, Application>) -> ! {
    pump.run().await
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
    let (net, control, runner) =
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
    join(&mut chip, wifi).await;
    blink::play(&mut chip, blink::JOINED).await;

    static BUFFERS: StaticCell<Buffers> = StaticCell::new();
    let mac = EthernetAddress(chip.0.address().await);
    let led = SignalLed(&LED);
    let application = app::build(
        BUFFERS.init_with(Buffers::new),
        &SETTINGS,
        mac,
        RoscRng,
        led,
        clock::now(),
    )
    .expect("Buffers is sized for the application");
    spawner.spawn(frames(Pump::new(net, application)).expect("frames task spawned once"));
    loop {
        let on = LED.wait().await;
        chip.set(on).await;
    }
}

/// Joins `wifi`, retrying with exponential back-off; the LED shows each
/// failure.
async fn join(chip: &mut Chip, wifi: Credentials) {
    let (mut pause, longest) = JOIN_BACKOFF;
    loop {
        let options = match wifi.security() {
            Security::Open => JoinOptions::new_open(),
            Security::Passphrase(passphrase) => JoinOptions::new(passphrase.as_bytes()),
        };
        if chip.0.join(wifi.ssid(), options).await.is_ok() {
            return;
        }
        blink::play(chip, blink::JOIN_FAILED).await;
        Timer::after(pause).await;
        pause = (pause * 2).min(longest);
    }
}

/// Without a probe nobody reads a panic message, and a board that resets
/// comes back on the network; so a panic restarts the chip.
#[panic_handler]
fn panic(_info: &PanicInfo) -> ! {
    cortex_m::peripheral::SCB::sys_reset()
}
