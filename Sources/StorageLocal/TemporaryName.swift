/// Names of files being uploaded: hidden, in the same directory as their destination, recognisable so that
/// listings hide them and a sweep can remove what a crash left behind.
enum TemporaryName {
    static let marker = ".ferry-upload-"

    /// A fresh temporary name for an upload to `name`: `.NAME.ferry-upload-RANDOM`, within 255 bytes.
    static func make(for name: String) -> String {
        var prefix = ""
        for scalar in name.unicodeScalars {
            if prefix.utf8.count + String(scalar).utf8.count > 200 { break }
            prefix.unicodeScalars.append(scalar)
        }
        let random = String(UInt64.random(in: .min ... .max), radix: 16)
        return "." + prefix + self.marker + String(repeating: "0", count: 16 - random.count) + random
    }

    /// Whether `name` has the shape of a temporary upload name.
    static func matches(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        let marker = Array(self.marker.utf8)
        guard bytes.first == UInt8(ascii: "."), bytes.count >= marker.count else { return false }
        return (0...(bytes.count - marker.count)).contains { bytes[$0..<$0 + marker.count].elementsEqual(marker) }
    }
}
