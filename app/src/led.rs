/// The board's LED, as the application switches it.
///
/// `set` must not block: on the Pico W the LED hangs off the Wi-Fi chip,
/// whose control channel lives in another task, so the board forwards the
/// request (an embassy `Signal`) and returns at once.
pub trait Led {
    fn set(&mut self, on: bool);
}

impl<L: Led + ?Sized> Led for &mut L {
    fn set(&mut self, on: bool) {
        (**self).set(on);
    }
}
