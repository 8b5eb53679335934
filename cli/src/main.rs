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
mod ops;
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
    /// Serves many accounts behind an HTTP API (see the README's "webwx serve"): state in
    /// SQLite by default, or a PostgreSQL shared by several nodes.
    Serve(webwx_server::Options),
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
        /// In a group: mention this member (a display name or user name; repeat for more).
        #[arg(long, value_name = "NAME", requires = "text")]
        at: Vec<String>,
    },
    /// Takes back a message sent earlier (`webwx send` prints its ids).
    Revoke {
        /// The chat it was sent to.
        #[arg(long)]
        to: String,
        /// The server's message id.
        #[arg(long)]
        msg_id: String,
        /// The local id.
        #[arg(long)]
        local_id: String,
    },
    /// Lists the friend requests `listen` kept, or accepts one (by name or user name) or all.
    Accept {
        /// Whose request.
        who: Option<String>,
        /// Every kept request.
        #[arg(long, conflicts_with = "who")]
        all: bool,
    },
    /// Sets a contact's remark (empty: none).
    Remark {
        /// The contact.
        #[arg(long)]
        to: String,
        /// The remark.
        remark: String,
    },
    /// Pins a chat to the top (or unpins it with --off).
    Pin {
        /// The chat.
        #[arg(long)]
        to: String,
        /// Unpin.
        #[arg(long)]
        off: bool,
    },
    /// Creates, changes or leaves a group, or lists its members.
    Group {
        #[command(subcommand)]
        action: GroupCommand,
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
        /// Only groups.
        #[arg(long)]
        groups: bool,
        /// Only friends.
        #[arg(long)]
        friends: bool,
        /// Only official accounts.
        #[arg(long)]
        officials: bool,
        /// Only those whose remark, nick name or alias contains this text.
        #[arg(long, value_name = "TEXT")]
        search: Option<String>,
    },
    /// Logs out and deletes the session file (kept when the logout fails).
    Logout,
}

#[derive(Subcommand, Debug)]
enum GroupCommand {
    /// Creates a group with these friends (two or more) and names it.
    Create {
        /// The group's name.
        #[arg(long)]
        name: String,
        /// The members.
        #[arg(required = true, num_args = 2..)]
        members: Vec<String>,
    },
    /// Adds members (invites them once the group would reach 40).
    Add {
        /// The group.
        group: String,
        /// The members.
        #[arg(required = true)]
        members: Vec<String>,
    },
    /// Removes members (the group's owner only).
    Remove {
        /// The group.
        group: String,
        /// The members.
        #[arg(required = true)]
        members: Vec<String>,
    },
    /// Renames a group.
    Rename {
        /// The group.
        group: String,
        /// Its new name.
        name: String,
    },
    /// Leaves a group.
    Quit {
        /// The group.
        group: String,
    },
    /// Lists a group's members (from the saved session).
    Members {
        /// The group.
        group: String,
        /// As JSON lines.
        #[arg(long)]
        json: bool,
    },
}

fn main() {
    let cli = Cli::parse();
    if let Command::Serve(options) = cli.command {
        std::process::exit(serve(options));
    }
    // One thread: a command drives one session, and a second worker thread would only add its
    // stack, its allocator arena and cross-thread wake-ups (file reads still go to tokio's
    // blocking pool; the demo's simulator runs on a runtime of its own).
    let runtime = match tokio::runtime::Builder::new_current_thread()
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
            // Handled above, on a runtime of its own.
            Command::Serve(_) => Ok(()),
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
                at,
            } => {
                use webwx_core::SendKind;
                let what = match (text, image, file, video, sticker) {
                    (Some(text), ..) => real::What::Text(text, at),
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
            Command::Contacts {
                json,
                groups,
                friends,
                officials,
                search,
            } => {
                let filter = real::Filter {
                    groups,
                    friends,
                    officials,
                    search,
                };
                real::contacts(server, &session, json, &filter).await
            }
            Command::Revoke {
                to,
                msg_id,
                local_id,
            } => ops::revoke(server, &session, &to, &msg_id, &local_id).await,
            Command::Accept { who, all } => {
                ops::accept(server, &session, who.as_deref(), all).await
            }
            Command::Remark { to, remark } => ops::remark(server, &session, &to, &remark).await,
            Command::Pin { to, off } => ops::pin(server, &session, &to, !off).await,
            Command::Group { action } => match action {
                GroupCommand::Members { group, json } => ops::members(&session, &group, json),
                GroupCommand::Create { name, members } => {
                    let action = ops::GroupAction::Create {
                        topic: name,
                        members,
                    };
                    ops::group(server, &session, action).await
                }
                GroupCommand::Add { group, members } => {
                    ops::group(server, &session, ops::GroupAction::Add { group, members }).await
                }
                GroupCommand::Remove { group, members } => {
                    let action = ops::GroupAction::Remove { group, members };
                    ops::group(server, &session, action).await
                }
                GroupCommand::Rename { group, name } => {
                    let action = ops::GroupAction::Rename { group, topic: name };
                    ops::group(server, &session, action).await
                }
                GroupCommand::Quit { group } => {
                    ops::group(server, &session, ops::GroupAction::Quit { group }).await
                }
            },
            Command::Logout => logout::logout(server, &session).await,
        }
    });
    let code = match result {
        Ok(()) => 0,
        Err(e) if e.code == Exit::OutputClosed => 0,
        Err(e) => {
            // Server text in a message is made safe where it is put in; this is the last guard.
            let lines: Vec<String> = e.message.lines().map(sanitize::for_terminal).collect();
            console::note(&format!("webwx: {}", lines.join("\n")));
            e.code as i32
        }
    };
    // Everything is written (files synced and renamed, output flushed): the process ends here
    // without taking the runtime, its ended session and the contact store apart piece by piece,
    // which would cost a 20,000-contact session more CPU than reading them did.
    let _ = std::io::Write::flush(&mut std::io::stdout());
    std::process::exit(code);
}

/// `webwx serve`: a multi-threaded runtime (it drives many sessions and the API at once).
fn serve(options: webwx_server::Options) -> i32 {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            console::note(&format!("webwx: cannot start: {e}"));
            return Exit::Failure as i32;
        }
    };
    match runtime.block_on(webwx_server::run(options)) {
        Ok(()) => 0,
        Err(e) => {
            console::note(&format!("webwx serve: {e}"));
            Exit::Failure as i32
        }
    }
}
