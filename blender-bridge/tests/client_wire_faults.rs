//! Wire behaviour the real addon cannot be made to show, against a scripted
//! peer. This is a fake on purpose, and only for these cases: the addon runs
//! requests in order on Blender's main thread (so never reorders replies),
//! and this client never sends a frame above the addon's maximum (so the
//! addon never answers with a null-id `frame_too_large`). Everything else is
//! tested against the real addon in client_*.rs.

use std::time::Duration;

use bytes::Bytes;
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::codec::{BytesCodec, Framed, FramedRead};

use blender_bridge::protocol::{encode_frame, parse_request, FrameCodec, Request};
use blender_bridge::{BlenderClient, BridgeError, CallOptions, ClientConfig};

/// Reads requests with the crate's own decoder and validator.
struct ScriptedPeer {
    reader: FramedRead<tokio::net::tcp::OwnedReadHalf, FrameCodec>,
    writer: Framed<tokio::net::tcp::OwnedWriteHalf, BytesCodec>,
}

impl ScriptedPeer {
    async fn accept(listener: &TcpListener) -> Self {
        let (stream, _) = listener.accept().await.unwrap();
        let (read, write) = stream.into_split();
        let mut peer = ScriptedPeer {
            reader: FramedRead::new(read, FrameCodec::new(1 << 20)),
            writer: Framed::new(write, BytesCodec::new()),
        };
        let hello = peer.next_request().await;
        assert_eq!(hello.op, "hello");
        assert_eq!(hello.params["protocol"], json!(1));
        let info = json!({"protocol": 1, "addon_version": "fake", "blender_version": "none",
            "mode": "module", "capabilities": ["hello", "ping", "exec", "snippets"],
            "max_frame": 1 << 20, "pid": 1});
        peer.send(json!({"id": hello.id, "ok": true, "result": info}))
            .await;
        peer
    }

    async fn next_request(&mut self) -> Request {
        let payload = self.reader.next().await.unwrap().unwrap();
        parse_request(&payload).unwrap()
    }

    async fn send(&mut self, reply: Value) {
        let frame: Bytes = encode_frame(&reply, 64).unwrap();
        self.writer.send(frame).await.unwrap();
    }
}

async fn listener_and_client() -> (TcpListener, BlenderClient) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut config = ClientConfig::new("127.0.0.1", port);
    config.token = Some("fake-peer-token-0123".into());
    config.request_timeout = Duration::from_secs(10);
    (listener, BlenderClient::new(config))
}

#[tokio::test]
async fn replies_in_any_order_reach_their_callers_and_strays_are_ignored() {
    let (listener, client) = listener_and_client().await;
    let calls = (0..3).map(|i| {
        let client = client.clone();
        async move { client.exec("fake", json!({ "i": i })).await }
    });
    let peer = async {
        let mut peer = ScriptedPeer::accept(&listener).await;
        let mut requests = Vec::new();
        for _ in 0..3 {
            requests.push(peer.next_request().await);
        }
        // A reply to nothing in flight first: must be ignored, not misrouted.
        peer.send(json!({"id": 999_999, "ok": true, "result": {"value": "stray"}}))
            .await;
        for request in requests.iter().rev() {
            let i = request.params["args"]["i"].clone();
            let reply = json!({"id": request.id, "ok": true,
                "result": {"value": i, "stdout": "", "stderr": ""}});
            peer.send(reply).await;
        }
        peer
    };
    let (results, _peer) = tokio::join!(futures::future::join_all(calls), peer);
    for (i, result) in results.into_iter().enumerate() {
        assert_eq!(result.unwrap().value, json!(i));
    }
}

#[tokio::test]
async fn a_null_id_frame_error_fails_every_call_in_flight_then_reconnects() {
    let (listener, client) = listener_and_client().await;
    let calls = (0..2).map(|_| {
        let client = client.clone();
        async move {
            client
                .call("ping", Value::Null, CallOptions::default())
                .await
        }
    });
    let peer = async {
        let mut peer = ScriptedPeer::accept(&listener).await;
        peer.next_request().await;
        peer.next_request().await;
        peer.send(
            json!({"id": null, "ok": false, "error": {"code": "frame_too_large",
            "message": "frame of 2000000 bytes exceeds the maximum of 1048576",
            "details": {"max_frame": 1_048_576, "length": 2_000_000}}}),
        )
        .await;
        drop(peer);
    };
    let (results, ()) = tokio::join!(futures::future::join_all(calls), peer);
    for result in results {
        match result {
            Err(BridgeError::FrameTooLarge {
                what: "request",
                length: Some(2_000_000),
                max: 1_048_576,
            }) => {}
            other => panic!("expected the peer's frame_too_large, got {other:?}"),
        }
    }
    // The next call opens a new connection.
    let next = tokio::spawn({
        let client = client.clone();
        async move {
            client
                .call("ping", Value::Null, CallOptions::default())
                .await
        }
    });
    let mut peer = ScriptedPeer::accept(&listener).await;
    let ping = peer.next_request().await;
    peer.send(json!({"id": ping.id, "ok": true, "result": {}}))
        .await;
    assert_eq!(next.await.unwrap().unwrap(), json!({}));
    assert_eq!(client.stats().connects, 2);
}

#[tokio::test]
async fn a_peer_that_is_not_the_addon_gives_a_protocol_error_not_a_hang() {
    let (listener, client) = listener_and_client().await;
    let peer = async {
        let (mut stream, _): (TcpStream, _) = listener.accept().await.unwrap();
        use tokio::io::AsyncWriteExt;
        // An HTTP server, say: the first 4 bytes read as a huge length.
        stream
            .write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n")
            .await
            .unwrap();
        stream
    };
    let (result, _stream) = tokio::join!(client.ping(), peer);
    match result {
        Err(BridgeError::Protocol(text)) => {
            assert!(
                text.contains("did not answer like the Blender addon"),
                "{text}"
            );
        }
        other => panic!("expected a frame error, got {other:?}"),
    }
}
