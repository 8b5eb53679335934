#![no_main]
use webwx_core::model::RawMessage;
use webwx_core::{Contact, ContactStore, Message};
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(content) = std::str::from_utf8(rest) else {
        return;
    };
    let msg_type = [
        1, 3, 34, 37, 40, 42, 43, 47, 48, 49, 51, 62, 9999, 10000, 10002, 7,
    ][usize::from(selector % 16)];
    let raw = RawMessage {
        msg_id: "1".into(),
        from_user_name: if selector & 16 != 0 {
            "@@group".into()
        } else {
            "@friend".into()
        },
        to_user_name: "@me".into(),
        msg_type,
        app_msg_type: i64::from(selector >> 5),
        content: content.to_string(),
        ..RawMessage::default()
    };
    let me = Contact::new("@me", "小明");
    let m = Message::from_raw(raw, &me, &ContactStore::default());
    let _ = m.content.text();
    // The media descriptor of any message: never a panic; a name to save it under that is one
    // path component.
    if let Some(media) = m.media() {
        let name = media.suggested_name();
        assert!(!name.contains('/') && !name.contains('\\') && !name.is_empty());
    }
    let _ = webwx_core::message::Payload::parse(content);
});
