//! `webwx`: the Web WeChat command line.
//!
//! `webwx demo` runs a whole session against the embedded simulator; `login`, `listen`, `send`,
//! `contacts` and `logout` talk to the real service (or, with `--server URL`, to any test
//! server). Exit codes: see [`failure::Exit`].

#![forbid(unsafe_code)]

mod console;
mod demo;
mod failure;
mod listen;
mod logout;
mod media;
mod output;
mod qr;
mod real;
mod sanitize;
mod session_file;
mod stops;

use clap::{Parser, Subcommand};
use failure::Exit;
use std::path::PathBuf;

/// A Web WeChat client: a self-contained demo, and commands for the real service.
#[derive(Parser, Debug)]
#[command(name = "webwx", version, about)]
struct Cli {
    /// Talk to this server (a simulator or test server, e.g. http://127.0.0.1:PORT) instead of
    /// the real login host; its host is then allowed as a redirect target.
    #[arg(long, global = true)]
    server: Option<String>,
    /// The session file (created with mode 0600, written atomically).
    #[arg(long, global = true)]
    session: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Runs a whole session against the embedded simulator: no phone, no network.
    Demo {
        /// Friends of the simulated account.
        #[arg(long, default_value_t = 200)]
        contacts: usize,
        /// Messages the simulated account receives.
        #[arg(long, default_value_t = 30)]
        messages: usize,
        /// Runs through the simulator's fault schedule (5xx, drops, truncation, 1205, duplicates).
        #[arg(long)]
        faults: bool,
    },
    /// Logs in with a QR code and saves the session.
    Login {
        /// Writes the QR code to this PNG file instead of drawing it in the terminal.
        #[arg(long)]
        qr_png: Option<PathBuf>,
        /// Desktop ("UOS") mode: gets some accounts past the 1203 refusal, at a risk (see below).
        #[arg(long)]
        desktop: bool,
    },
    /// Resumes the saved session and prints events until interrupted (Ctrl-C, SIGTERM, or the
    /// reader closing the output); the session is saved after each batch it prints.
    Listen {
        /// One JSON object per line, for other programs.
        #[arg(long)]
        json: bool,
        /// Exits after this many messages.
        #[arg(long)]
        count: Option<usize>,
        /// Saves every received image, voice, video, file and sticker into this folder as it
        /// arrives (the JSON lines carry the saved path).
        #[arg(long, value_name = "DIR")]
        save_media: Option<std::path::PathBuf>,
    },
    /// Sends a text message, or a file: `--file` sends any file as what its extension makes it
    /// (bmp/png/jpeg/jpg an image, mp4 a video, gif a sticker, anything else a file card), as
    /// the official client does; `--image`, `--video` and `--sticker` also check that it is one.
    #[command(group(clap::ArgGroup::new("what").required(true).args(["text", "image", "file", "video", "sticker"])))]
    Send {
        /// The receiver: a display name (remark or nick name) or a user name.
        #[arg(long)]
        to: String,
        /// The text.
        text: Option<String>,
        /// An image (bmp, png, jpeg, jpg).
        #[arg(long, value_name = "FILE")]
        image: Option<PathBuf>,
        /// Any file, sent as what its extension makes it.
        #[arg(long, value_name = "FILE")]
        file: Option<PathBuf>,
        /// A video (an mp4 under 20 MiB).
        #[arg(long, value_name = "FILE")]
        video: Option<PathBuf>,
        /// A sticker (a gif).
        #[arg(long, value_name = "FILE")]
        sticker: Option<PathBuf>,
    },
    /// Downloads the media of a message seen earlier by `webwx listen --json` (in the same
    /// session): give the message's JSON line (or its `media` object).
    Download {
        /// The JSON line `listen --json` printed for the message.
        #[arg(long, value_name = "JSON")]
        message: String,
        /// Where to write it: a file, or a folder to put it in under its own name (default: the
        /// current folder).
        #[arg(long, value_name = "PATH")]
        out: Option<PathBuf>,
        /// The thumbnail of an image or video instead.
        #[arg(long)]
        thumbnail: bool,
    },
    /// Lists the contacts.
    Contacts {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Logs out and deletes the session file (kept when the logout fails).
    Logout,
}

fn main() {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            console::note(&format!("webwx: cannot start: {e}"));
            std::process::exit(Exit::Failure as i32);
        }
    };
    let session = cli
        .session
        .clone()
        .unwrap_or_else(session_file::default_path);
    let server = cli.server.as_deref();
    let result = runtime.block_on(async {
        match cli.command {
            Command::Demo {
                contacts,
                messages,
                faults,
            } => demo::run(contacts, messages, faults).await,
            Command::Login { qr_png, desktop } => {
                real::login(server, &session, qr_png.as_deref(), desktop).await
            }
            Command::Listen {
                json,
                count,
                save_media,
            } => listen::listen(server, &session, json, count, save_media.as_deref()).await,
            Command::Send {
                to,
                text,
                image,
                file,
                video,
                sticker,
            } => {
                use webwx_core::SendKind;
                let what = match (text, image, file, video, sticker) {
                    (Some(text), ..) => real::What::Text(text),
                    (_, Some(p), ..) => real::What::File(p, Some(SendKind::Image)),
                    (_, _, Some(p), ..) => real::What::File(p, None),
                    (_, _, _, Some(p), _) => real::What::File(p, Some(SendKind::Video)),
                    (_, _, _, _, Some(p)) => real::What::File(p, Some(SendKind::Sticker)),
                    _ => unreachable!("clap requires one"),
                };
                real::send(server, &session, &to, what).await
            }
            Command::Download {
                message,
                out,
                thumbnail,
            } => media::download(server, &session, &message, out.as_deref(), thumbnail).await,
            Command::Contacts { json } => real::contacts(server, &session, json).await,
            Command::Logout => logout::logout(server, &session).await,
        }
    });
    match result {
        Ok(()) => {}
        Err(e) if e.code == Exit::OutputClosed => {}
        Err(e) => {
            // Server text in a message is made safe where it is put in; this is the last guard.
            let lines: Vec<String> = e.message.lines().map(sanitize::for_terminal).collect();
            console::note(&format!("webwx: {}", lines.join("\n")));
            std::process::exit(e.code as i32);
        }
    }
}
