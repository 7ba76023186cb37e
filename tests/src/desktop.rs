//! The desktop around the app, as a person (or the desktop shell) sees it: its top-level
//! window on the X display (shown or hidden, closed with the title bar's ✕), its tray icon
//! and menu on the session bus (what a panel reads and clicks), and its process.

// FFI with Xlib: every call is on a display this module opened and closes.
#![allow(unsafe_code)]

use std::ffi::CString;
use std::path::Path;
use std::process::Command;

use x11_dl::xlib;

/// The app's process under `root` (tauri-driver or WebKitWebDriver start it), by its binary.
pub fn app_pid_under(root: u32, binary: &Path) -> Option<u32> {
    let binary = binary.canonicalize().ok()?;
    leadline_core::whatsapp::process::tree(root)
        .into_iter()
        .find(|pid| {
            std::fs::read_link(format!("/proc/{pid}/exe"))
                .map(|exe| exe == binary)
                .unwrap_or(false)
        })
}

unsafe extern "C" fn ignore_x_errors(
    _: *mut xlib::Display,
    _: *mut xlib::XErrorEvent,
) -> std::os::raw::c_int {
    0
}

/// An open X display, closed when dropped. Keep one open to poll often: opening a
/// connection per look, hundreds of times a second, starves the X server's other clients.
pub struct Display {
    xlib: xlib::Xlib,
    display: *mut xlib::Display,
}

impl Display {
    pub fn open() -> Display {
        let xlib = xlib::Xlib::open().expect("libX11 loads (Xvfb's client library)");
        // A window can vanish between listing it and reading it (the app closing it); Xlib's
        // default handler would end this process for that, so errors only fail the call.
        // SAFETY: the handler is a plain function that touches nothing.
        unsafe { (xlib.XSetErrorHandler)(Some(ignore_x_errors)) };
        // Xvfb can refuse a connection for a moment (seen right after another xvfb-run
        // ended), so a refusal is tried again for a few seconds before it fails.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            // SAFETY: a null name opens $DISPLAY; checked below.
            let display = unsafe { (xlib.XOpenDisplay)(std::ptr::null()) };
            if !display.is_null() {
                return Display { xlib, display };
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the X display opens (run under xvfb-run)"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }

    fn atom(&self, name: &str) -> xlib::Atom {
        let name = CString::new(name).expect("atom names have no NUL");
        // SAFETY: the display is open and the name is a valid C string.
        unsafe { (self.xlib.XInternAtom)(self.display, name.as_ptr(), xlib::False) }
    }

    /// A window property's raw items (bytes for format 8, longs for format 32).
    fn property(&self, window: xlib::Window, name: &str) -> Option<(i32, Vec<u64>, Vec<u8>)> {
        let atom = self.atom(name);
        let mut actual_type = 0;
        let mut format = 0;
        let mut items = 0;
        let mut after = 0;
        let mut data: *mut u8 = std::ptr::null_mut();
        // SAFETY: out-pointers are valid locals; `data` is freed with XFree below.
        let status = unsafe {
            (self.xlib.XGetWindowProperty)(
                self.display,
                window,
                atom,
                0,
                1024,
                xlib::False,
                xlib::AnyPropertyType as u64,
                &mut actual_type,
                &mut format,
                &mut items,
                &mut after,
                &mut data,
            )
        };
        if status != 0 || data.is_null() {
            return None;
        }
        let items = items as usize;
        let result = match format {
            // SAFETY: Xlib returns `items` longs for format 32.
            32 => Some((
                32,
                unsafe { std::slice::from_raw_parts(data as *const u64, items) }.to_vec(),
                Vec::new(),
            )),
            // SAFETY: Xlib returns `items` bytes for format 8.
            8 => Some((
                8,
                Vec::new(),
                unsafe { std::slice::from_raw_parts(data, items) }.to_vec(),
            )),
            _ => None,
        };
        // SAFETY: `data` came from XGetWindowProperty.
        unsafe { (self.xlib.XFree)(data.cast()) };
        result
    }

    fn top_level_windows(&self) -> Vec<xlib::Window> {
        let mut root = 0;
        let mut parent = 0;
        let mut children: *mut xlib::Window = std::ptr::null_mut();
        let mut count = 0;
        // SAFETY: out-pointers are valid locals; `children` is freed with XFree.
        unsafe {
            let root_window = (self.xlib.XDefaultRootWindow)(self.display);
            (self.xlib.XQueryTree)(
                self.display,
                root_window,
                &mut root,
                &mut parent,
                &mut children,
                &mut count,
            );
            if children.is_null() {
                return Vec::new();
            }
            let found = std::slice::from_raw_parts(children, count as usize).to_vec();
            (self.xlib.XFree)(children.cast());
            found
        }
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        // SAFETY: opened in `open`, closed once.
        unsafe { (self.xlib.XCloseDisplay)(self.display) };
    }
}

/// The top-level window of process `pid` titled `title`, if it has one.
pub fn window_of(pid: u32, title: &str) -> Option<u64> {
    Display::open().window_of(pid, title)
}

impl Display {
    /// The top-level window of process `pid` titled `title`, if it has one.
    pub fn window_of(&self, pid: u32, title: &str) -> Option<u64> {
        let display = self;
        display.top_level_windows().into_iter().find(|window| {
        let owned = matches!(display.property(*window, "_NET_WM_PID"), Some((32, longs, _)) if longs.first() == Some(&u64::from(pid)));
        let named = matches!(display.property(*window, "_NET_WM_NAME"), Some((8, _, bytes)) if bytes == title.as_bytes());
        owned && named
    })
    }
}

/// Whether the window is on screen (mapped), as opposed to hidden.
pub fn is_shown(window: u64) -> bool {
    let display = Display::open();
    // SAFETY: an all-zero XWindowAttributes is a valid out-parameter.
    let mut attributes: xlib::XWindowAttributes = unsafe { std::mem::zeroed() };
    // SAFETY: the display is open; `attributes` is a valid out-pointer.
    let ok =
        unsafe { (display.xlib.XGetWindowAttributes)(display.display, window, &mut attributes) };
    ok != 0 && attributes.map_state == xlib::IsViewable
}

impl Display {
    /// How many distinct colours a grid of points over the window shows (0 when not viewable).
    pub fn colours(&self, window: u64) -> usize {
        let display = self;
        // SAFETY: an all-zero XWindowAttributes is a valid out-parameter.
        let mut attributes: xlib::XWindowAttributes = unsafe { std::mem::zeroed() };
        // SAFETY: the display is open; `attributes` is a valid out-pointer.
        let ok = unsafe {
            (display.xlib.XGetWindowAttributes)(display.display, window, &mut attributes)
        };
        if ok == 0
            || attributes.map_state != xlib::IsViewable
            || attributes.width < 20
            || attributes.height < 20
        {
            return 0;
        }
        let (width, height) = (attributes.width, attributes.height);
        // SAFETY: the window is viewable and the rectangle is inside it; the image is destroyed below.
        let image = unsafe {
            let planes = (display.xlib.XAllPlanes)();
            (display.xlib.XGetImage)(
                display.display,
                window,
                0,
                0,
                width as u32,
                height as u32,
                planes,
                xlib::ZPixmap,
            )
        };
        if image.is_null() {
            return 0;
        }
        let mut colours = std::collections::BTreeSet::new();
        for row in 1..20 {
            for column in 1..20 {
                let (x, y) = (width * column / 20, height * row / 20);
                // SAFETY: (x, y) is inside the image.
                colours.insert(unsafe { (display.xlib.XGetPixel)(image, x, y) });
            }
        }
        // SAFETY: made by XGetImage above, destroyed once.
        unsafe { (display.xlib.XDestroyImage)(image) };
        colours.len()
    }
}

/// What the title bar's ✕ does: asks the window to close (WM_DELETE_WINDOW).
pub fn request_close(window: u64) {
    let display = Display::open();
    let protocols = display.atom("WM_PROTOCOLS");
    let delete = display.atom("WM_DELETE_WINDOW");
    let mut data = xlib::ClientMessageData::new();
    data.set_long(0, delete as i64);
    data.set_long(1, xlib::CurrentTime as i64);
    let message = xlib::XClientMessageEvent {
        type_: xlib::ClientMessage,
        serial: 0,
        send_event: xlib::True,
        display: display.display,
        window,
        message_type: protocols,
        format: 32,
        data,
    };
    let mut event = xlib::XEvent::from(message);
    // SAFETY: the display is open and `event` is a complete client message.
    unsafe {
        (display.xlib.XSendEvent)(
            display.display,
            window,
            xlib::False,
            xlib::NoEventMask,
            &mut event,
        );
        (display.xlib.XFlush)(display.display);
    }
}

/// `gdbus call` on the session bus; its text answer.
fn gdbus(dest: &str, path: &str, method: &str, args: &[&str]) -> Option<String> {
    let output = Command::new("gdbus")
        .args([
            "call",
            "--session",
            "--dest",
            dest,
            "--object-path",
            path,
            "--method",
            method,
            // Arguments such as -1 are values, not options.
            "--",
        ])
        .args(args)
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The tray icon of process `pid`: its connection on the session bus and its menu's path.
pub struct TrayMenu {
    bus_name: String,
    menu_path: String,
}

/// One entry of the tray menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrayItem {
    pub id: i32,
    pub label: String,
    pub enabled: bool,
}

impl TrayMenu {
    /// Finds the tray icon that process `pid` published (StatusNotifierItem + dbusmenu).
    pub fn of(pid: u32) -> Option<TrayMenu> {
        let names = gdbus(
            "org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.ListNames",
            &[],
        )?;
        for name in names.split('\'').filter(|part| part.starts_with(":1.")) {
            let owner = gdbus(
                "org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.GetConnectionUnixProcessID",
                &[name],
            );
            if owner.is_none_or(|answer| !answer.contains(&format!("uint32 {pid},"))) {
                continue;
            }
            let items = gdbus(
                name,
                "/org/ayatana/NotificationItem",
                "org.freedesktop.DBus.Introspectable.Introspect",
                &[],
            );
            let Some(item) = items
                .as_deref()
                .and_then(|xml| xml.split("<node name=\"").nth(1)?.split('"').next())
            else {
                continue;
            };
            return Some(TrayMenu {
                bus_name: name.to_string(),
                menu_path: format!("/org/ayatana/NotificationItem/{item}/Menu"),
            });
        }
        None
    }

    /// The menu's entries (separators left out), top to bottom.
    pub fn items(&self) -> Vec<TrayItem> {
        let Some(layout) = gdbus(
            &self.bus_name,
            &self.menu_path,
            "com.canonical.dbusmenu.GetLayout",
            &["0", "-1", "@as []"],
        ) else {
            return Vec::new();
        };
        // `<(3, {'enabled': <false>, 'label': <'Text'>}, [])>`: one per entry.
        layout
            .split("<(")
            .skip(1)
            .filter_map(|entry| {
                let (id, rest) = entry.split_once(", {")?;
                let props = rest.split('}').next()?;
                let label = props
                    .split("'label': <'")
                    .nth(1)?
                    .split("'>")
                    .next()?
                    .to_string();
                Some(TrayItem {
                    id: id.trim().parse().ok()?,
                    label,
                    enabled: !props.contains("'enabled': <false>"),
                })
            })
            .collect()
    }

    /// Clicks the entry labelled `label`, as a panel does.
    pub fn click(&self, label: &str) {
        let item = self
            .items()
            .into_iter()
            .find(|item| item.label == label)
            .unwrap_or_else(|| panic!("the tray menu has “{label}”: {:?}", self.items()));
        gdbus(
            &self.bus_name,
            &self.menu_path,
            "com.canonical.dbusmenu.Event",
            &[&item.id.to_string(), "clicked", "<0>", "uint32 0"],
        )
        .unwrap_or_else(|| panic!("the tray menu takes a click on “{label}”"));
    }
}

/// Proportional set size of one process, KiB (its share of memory shared with others).
pub fn pss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|line| line.starts_with("Pss:"))
                .and_then(|line| line.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// CPU time used so far by one process (user + system), in clock ticks.
pub fn cpu_ticks(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            let after_name = &stat[stat.rfind(')')? + 2..];
            let fields: Vec<&str> = after_name.split_whitespace().collect();
            // Fields 14 and 15 of stat (utime, stime), counted after the name.
            Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
        })
        .unwrap_or(0)
}

/// Clock ticks per second (`getconf CLK_TCK`, usually 100).
pub fn ticks_per_second() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|out| String::from_utf8_lossy(&out.stdout).trim().parse().ok())
        .unwrap_or(100)
}
