import Events
import Testing

@Suite struct WebhookSignatureTests {
    let signer = WebhookSignature(secret: Array("topsecret".utf8))
    let body = Array(#"{"path":"a.csv"}"#.utf8)

    @Test func matchesAnIndependentHMACSHA256() {
        // Computed with Python's hmac module over "1700000000." + body.
        #expect(
            self.signer.sign(body: self.body, timestamp: 1_700_000_000)
                == "sha256=6ef4db9c6a8e722a54a3144a203facdebe7851a6e74874fdc86568b312e53167"
        )
    }

    @Test func verifiesItsOwnSignatureAndRejectsChanges() {
        let header = self.signer.sign(body: self.body, timestamp: 1_700_000_000)
        #expect(self.signer.verify(header: header, body: self.body, timestamp: 1_700_000_000))
        #expect(!self.signer.verify(header: header, body: self.body, timestamp: 1_700_000_001))
        #expect(!self.signer.verify(header: header, body: self.body + [0x20], timestamp: 1_700_000_000))
        #expect(
            !WebhookSignature(secret: Array("other".utf8)).verify(
                header: header,
                body: self.body,
                timestamp: 1_700_000_000
            )
        )
        #expect(!self.signer.verify(header: "sha256=00", body: self.body, timestamp: 1_700_000_000))
    }
}
