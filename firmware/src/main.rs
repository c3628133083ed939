//! Raspberry Pi Pico W bring-up: the CYW43439 Wi-Fi chip over PIO SPI, a
//! Wi-Fi join with build-time credentials, the on-board LED (CYW43 GPIO 0)
//! as status display, and the task that pumps frames between the chip and
//! the network stack.
//!
//! Tasks: `radio` runs the CYW43 driver (bus, events, firmware), `frames`
//! runs the [`Pump`], and `main` owns the chip's control channel (join, LED).
#![no_std]
#![no_main]
#![deny(unsafe_code)]

use core::panic::PanicInfo;

use cyw43::{JoinOptions, PowerManagementMode};
use cyw43_pio::{PioSpi, DEFAULT_CLOCK_DIVIDER};
use embassy_executor::Spawner;
use embassy_rp::gpio::{Level, Output};
use embassy_rp::peripherals::{DMA_CH0, PIO0};
use embassy_rp::{bind_interrupts, dma, pio};
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::signal::Signal;
use embassy_time::{Duration, Timer};
use seqs::time::Instant;
use seqs_firmware::blink::{self, Led};
use seqs_firmware::credentials::{Credentials, Security};
use seqs_firmware::frame::FrameStack;
use seqs_firmware::pump::Pump;
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

/// First and longest pause between failed join attempts.
const JOIN_BACKOFF: (Duration, Duration) = (Duration::from_secs(1), Duration::from_secs(30));

type Bus = cyw43::SpiBus<Output<'static>, PioSpi<'static, PIO0, 0>>;

/// Frames received while joined, for the LED to flicker on.
static ACTIVITY: Signal<CriticalSectionRawMutex, ()> = Signal::new();

/// Stands in for the `seqs` stack until it lands: answers nothing, and
/// signals every received frame so the receive path shows on the LED.
struct ActivityProbe;

impl FrameStack for ActivityProbe {
    fn receive(&mut self, _now: Instant, _frame: &[u8]) {
        ACTIVITY.signal(());
    }

    fn transmit(&mut self, _now: Instant, _buf: &mut [u8]) -> Option<usize> {
        None
    }

    fn poll_at(&self) -> Option<Instant> {
        None
    }
}

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
async fn frames(pump: Pump<cyw43::NetDriver<'static>, ActivityProbe>) -> ! {
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
    spawner.spawn(frames(Pump::new(net, ActivityProbe)).expect("frames task spawned once"));
    loop {
        ACTIVITY.wait().await;
        blink::play(&mut chip, blink::ACTIVITY).await;
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
