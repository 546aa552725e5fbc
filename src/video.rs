//! Video files (mp4, webm, avi, mkv, mov, …) decoded by the `ffmpeg` program in a child
//! process.
//!
//! Why a subprocess and not bindings: ffmpeg's libraries change their API with every major
//! release and bindings build against one of them with bindgen; the program's command line has
//! been stable for a decade, decodes every format the libraries do, and a crash in a codec
//! cannot take the app with it. Frames come through a pipe as PPM images (`-f image2pipe -c:v
//! ppm`): each carries its own size, so rotation metadata and odd sizes need no probing.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError};

use image::RgbImage;

use crate::error::{Error, Result};

/// File name endings played as video.
pub const VIDEO_EXTENSIONS: [&str; 11] = [
    "mp4", "webm", "avi", "mkv", "mov", "m4v", "mpg", "mpeg", "ogv", "wmv", "flv",
];

/// The frame rate assumed when the file does not say (or `ffprobe` is missing).
pub const DEFAULT_FPS: f32 = 25.0;

/// Frames larger than this (per side) are refused: a corrupt header must not make us allocate
/// gigabytes.
const MAX_SIDE: u32 = 16_384;

/// Keeps the end of what ffmpeg writes to stderr, for the error message.
const STDERR_KEEP: usize = 2_000;

/// True when `path` ends in one of [`VIDEO_EXTENSIONS`] (any case).
pub fn is_video_file(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| VIDEO_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Reads a video file's frames in order, once. Dropping it stops the decoder.
pub struct VideoReader {
    path: PathBuf,
    child: Child,
    frames: BufReader<ChildStdout>,
    /// The tail of ffmpeg's stderr, filled by a thread so the pipe never blocks the decoder.
    stderr: Arc<Mutex<String>>,
    fps: f32,
    frames_read: u64,
    finished: bool,
}

impl VideoReader {
    /// Starts decoding `path`. With `max_size`, ffmpeg scales larger frames down to fit it
    /// (keeping the aspect), which is cheaper than decoding full size and scaling here.
    pub fn open(path: &Path, max_size: Option<(u32, u32)>) -> Result<Self> {
        let fail = |reason: String| Error::Video {
            path: path.to_path_buf(),
            reason,
        };
        if !path.is_file() {
            return Err(fail("no such file".into()));
        }
        let mut cmd = Command::new("ffmpeg");
        cmd.args(["-nostdin", "-hide_banner", "-loglevel", "error", "-i"])
            .arg(path)
            .args(["-map", "0:v:0", "-an", "-sn"]);
        if let Some((w, h)) = max_size {
            cmd.arg("-vf").arg(format!(
                "scale=w='min(iw,{w})':h='min(ih,{h})':force_original_aspect_ratio=decrease"
            ));
        }
        cmd.args(["-f", "image2pipe", "-c:v", "ppm", "-pix_fmt", "rgb24", "-"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => fail(
                "the ffmpeg program was not found; install it (e.g. `apt install ffmpeg`) to \
                 play video files"
                    .into(),
            ),
            _ => fail(format!("cannot start ffmpeg: {e}")),
        })?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| fail("ffmpeg gave no output pipe".into()))?;
        let stderr = Arc::new(Mutex::new(String::new()));
        if let Some(pipe) = child.stderr.take() {
            let tail = Arc::clone(&stderr);
            std::thread::Builder::new()
                .name("ffmpeg-stderr".into())
                .spawn(move || keep_tail(pipe, &tail))
                .map_err(|e| fail(format!("cannot start a thread: {e}")))?;
        }
        Ok(Self {
            path: path.to_path_buf(),
            child,
            frames: BufReader::with_capacity(1 << 20, stdout),
            stderr,
            fps: probe_fps(path).unwrap_or(DEFAULT_FPS),
            frames_read: 0,
            finished: false,
        })
    }

    /// Frames per second, as the file declares it ([`DEFAULT_FPS`] when it does not).
    pub fn fps(&self) -> f32 {
        self.fps
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Frames returned so far.
    pub fn frames_read(&self) -> u64 {
        self.frames_read
    }

    /// The next frame; `Ok(None)` at the end of the video. A file ffmpeg cannot decode at
    /// all is an error naming ffmpeg's reason; one that breaks off part-way ends there (with a
    /// warning), as players do.
    pub fn next_frame(&mut self) -> Result<Option<RgbImage>> {
        if self.finished {
            return Ok(None);
        }
        match read_ppm(&mut self.frames) {
            Ok(Some(frame)) => {
                self.frames_read += 1;
                Ok(Some(frame))
            }
            Ok(None) => {
                self.finished = true;
                let status = self.child.wait().map_err(|e| Error::io(&self.path, e))?;
                if status.success() {
                    return Ok(None);
                }
                let reason = self.ffmpeg_said();
                if self.frames_read == 0 {
                    Err(self.error(format!("ffmpeg could not decode it ({status}): {reason}")))
                } else {
                    log::warn!(
                        "{}: decoding stopped after {} frames: {reason}",
                        self.path.display(),
                        self.frames_read
                    );
                    Ok(None)
                }
            }
            Err(reason) => {
                self.finished = true;
                Err(self.error(reason))
            }
        }
    }

    fn error(&self, reason: String) -> Error {
        Error::Video {
            path: self.path.clone(),
            reason,
        }
    }

    /// The last line ffmpeg wrote to stderr (waits briefly for the reader thread to drain it).
    fn ffmpeg_said(&self) -> String {
        let deadline = std::time::Instant::now() + std::time::Duration::from_millis(500);
        loop {
            let text = self
                .stderr
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone();
            let last = text.lines().rev().find(|l| !l.trim().is_empty());
            if let Some(line) = last {
                return line.trim().to_string();
            }
            if std::time::Instant::now() > deadline {
                return "no message".into();
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }
}

impl Drop for VideoReader {
    fn drop(&mut self) {
        if !self.finished {
            // Closing mid-video: ffmpeg would block on the full pipe forever.
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// Copies `pipe` into `tail`, keeping its last [`STDERR_KEEP`] bytes.
fn keep_tail(pipe: impl Read, tail: &Mutex<String>) {
    for line in BufReader::new(pipe).lines() {
        let Ok(line) = line else { break };
        let mut t = tail.lock().unwrap_or_else(PoisonError::into_inner);
        t.push_str(&line);
        t.push('\n');
        if t.len() > STDERR_KEEP {
            let cut = t.len() - STDERR_KEEP;
            let cut = (cut..t.len()).find(|&i| t.is_char_boundary(i)).unwrap_or(0);
            t.drain(..cut);
        }
    }
}

/// One binary PPM (`P6 W H 255`, one whitespace byte, then W·H·3 bytes) from `r`; `Ok(None)`
/// when the stream ends cleanly before a header. The error is a reason, in words.
fn read_ppm(r: &mut impl BufRead) -> std::result::Result<Option<RgbImage>, String> {
    if r.fill_buf().map_err(|e| e.to_string())?.is_empty() {
        return Ok(None);
    }
    let mut fields = [0u32; 3];
    let magic = header_token(r)?;
    if magic != "P6" {
        return Err(format!("unexpected frame header {magic:?} from ffmpeg"));
    }
    for f in &mut fields {
        let token = header_token(r)?;
        *f = token
            .parse()
            .map_err(|_| format!("bad number {token:?} in a frame header"))?;
    }
    let [w, h, max] = fields;
    if max != 255 || w == 0 || h == 0 || w > MAX_SIDE || h > MAX_SIDE {
        return Err(format!("unsupported frame {w}×{h}, max value {max}"));
    }
    let mut pixels = vec![0u8; w as usize * h as usize * 3];
    r.read_exact(&mut pixels)
        .map_err(|e| format!("a frame was cut short: {e}"))?;
    Ok(RgbImage::from_raw(w, h, pixels))
}

/// The next whitespace-separated header token; consumes the one whitespace byte after it
/// (which, after the last field, is the only byte before the pixels).
fn header_token(r: &mut impl BufRead) -> std::result::Result<String, String> {
    let mut token = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        match r.read(&mut byte) {
            Ok(0) => return Err("the video stream ended inside a frame header".into()),
            Ok(_) => {}
            Err(e) => return Err(e.to_string()),
        }
        if byte[0].is_ascii_whitespace() {
            if token.is_empty() {
                continue;
            }
            return String::from_utf8(token).map_err(|_| "a garbled frame header".into());
        }
        if token.len() > 16 {
            return Err("a garbled frame header".into());
        }
        token.push(byte[0]);
    }
}

/// The first video stream's frame rate, from `ffprobe` (installed with ffmpeg).
fn probe_fps(path: &Path) -> Option<f32> {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries"])
        .arg("stream=avg_frame_rate,r_frame_rate")
        .args(["-of", "default=noprint_wrappers=1:nokey=1"])
        .arg(path)
        .stdin(Stdio::null())
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(parse_rate)
}

/// "30000/1001" → 29.97; "0/0" and nonsense → None.
fn parse_rate(s: &str) -> Option<f32> {
    let (n, d) = s.trim().split_once('/').unwrap_or((s.trim(), "1"));
    let rate = n.parse::<f32>().ok()? / d.parse::<f32>().ok()?;
    (rate.is_finite() && (0.5..=1000.0).contains(&rate)).then_some(rate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_rates_parse_as_fractions_and_nonsense_is_refused() {
        assert!((parse_rate("30000/1001").unwrap() - 29.97).abs() < 0.01);
        assert_eq!(parse_rate("25/1"), Some(25.0));
        assert_eq!(parse_rate("24"), Some(24.0));
        assert_eq!(parse_rate("0/0"), None);
        assert_eq!(parse_rate("N/A"), None);
    }

    #[test]
    fn ppm_frames_are_read_back_to_back_and_a_cut_frame_is_an_error() {
        let mut stream = Vec::new();
        for v in [10u8, 200] {
            stream.extend_from_slice(b"P6\n3 2\n255\n");
            stream.extend(std::iter::repeat_n(v, 3 * 2 * 3));
        }
        let mut r = std::io::Cursor::new(stream.clone());
        let a = read_ppm(&mut r).unwrap().unwrap();
        let b = read_ppm(&mut r).unwrap().unwrap();
        assert_eq!(a.dimensions(), (3, 2));
        assert_eq!((a.as_raw()[0], b.as_raw()[17]), (10, 200));
        assert!(read_ppm(&mut r).unwrap().is_none());
        let mut cut = std::io::Cursor::new(stream[..20].to_vec());
        assert!(read_ppm(&mut cut).is_err());
        let mut huge = std::io::Cursor::new(b"P6 99999 99999 255\n".to_vec());
        assert!(read_ppm(&mut huge).is_err());
    }

    #[test]
    fn video_files_are_told_by_their_ending() {
        assert!(is_video_file(Path::new("a/clip.MP4")));
        assert!(is_video_file(Path::new("b.webm")));
        assert!(!is_video_file(Path::new("c.png")));
        assert!(!is_video_file(Path::new("mp4")));
    }
}
