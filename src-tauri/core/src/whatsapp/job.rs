//! Windows: every browser Leadline starts goes into one Job Object that kills what it
//! holds when its last handle closes, which is when Leadline's process ends, however it
//! ends (a crash included). So no browser outlives the app to keep its profile: Chromium
//! hands a second launch on a profile over to the browser already running it, and the
//! number would not start again. (Linux and macOS find leftovers by their profile.)

use std::sync::OnceLock;

use win32job::{ExtendedLimitInfo, Job};

/// A job that kills its processes when its last handle closes.
pub fn kill_on_close() -> Result<Job, String> {
    let mut info = ExtendedLimitInfo::new();
    info.limit_kill_on_job_close();
    Job::create_with_limit_info(&info).map_err(|e| e.to_string())
}

/// The app's job, made once and held until the process ends.
fn browsers() -> Option<&'static Job> {
    static JOB: OnceLock<Option<Job>> = OnceLock::new();
    JOB.get_or_init(|| match kill_on_close() {
        Ok(job) => Some(job),
        Err(e) => {
            tracing::warn!(error = %e, "no job object: a browser may outlive a crash");
            None
        }
    })
    .as_ref()
}

/// Puts the process whose handle is `handle` (a browser just started) in the app's job;
/// the processes it starts from then on join it too.
pub fn keep_with_app(handle: isize) {
    if let Some(job) = browsers() {
        if let Err(e) = job.assign_process(handle) {
            tracing::warn!(error = %e, "a browser could not join the job object");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The test program itself, sleeping (the ignored test below): a process that would
    /// run for a minute unless something ends it.
    fn sleeper() -> std::process::Child {
        std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "whatsapp::job::tests::sleeps_for_a_minute",
                "--ignored",
                "--nocapture",
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    }

    #[test]
    #[ignore = "run by the test below, as the process the job ends"]
    fn sleeps_for_a_minute() {
        std::thread::sleep(std::time::Duration::from_secs(60));
    }

    /// Stops the sleeper whatever the test found, so a failure leaves nothing running.
    struct Stopped(std::process::Child);

    impl Drop for Stopped {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    #[test]
    fn a_process_in_the_job_ends_when_the_job_is_closed() {
        use std::os::windows::io::AsRawHandle;
        let job = kill_on_close().unwrap();
        let mut child = Stopped(sleeper());
        job.assign_process(child.0.as_raw_handle() as isize)
            .unwrap();
        drop(job);
        let began = std::time::Instant::now();
        loop {
            if child.0.try_wait().unwrap().is_some() {
                break;
            }
            assert!(
                began.elapsed() < std::time::Duration::from_secs(10),
                "the process outlived its job"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}
