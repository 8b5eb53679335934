//! Desktop ("UOS") mode (protocol §6): the headers the desktop client adds to the ticket request.
//!
//! Off by default: since 2025 accounts using it report warnings and temporary bans.

/// The `extspam` header every desktop-mode client sends on the ticket request: a fixed blob,
/// identical in every known client.
pub(crate) const EXTSPAM: &str = include_str!("desktop_extspam.txt").trim_ascii_end();

/// The `client-version` header of desktop mode.
pub(crate) const CLIENT_VERSION: &str = "2.0.0";

/// The `referer` header of desktop mode.
pub(crate) const REFERER: &str = "https://wx.qq.com/?&lang=zh_CN&target=t";
