import CCrypt

/// Thin wrappers over libxcrypt's thread-safe entry points. Each call gets its own zeroed `struct crypt_data`
/// on the heap (it is about 32 KiB), which is wiped again before it is freed.
enum LibCrypt {
    /// The longest passphrase libxcrypt accepts, in bytes: its buffer size less the terminating NUL.
    static let maximumPassphraseLength = Int(CRYPT_MAX_PASSPHRASE_SIZE) - 1

    /// A new setting string (prefix, cost and random salt) for `prefix`, or `nil` when libxcrypt refuses.
    static func generateSetting(prefix: String) -> String? {
        var output = [CChar](repeating: 0, count: Int(CRYPT_GENSALT_OUTPUT_SIZE))
        let count = Int32(output.count)
        let result = output.withUnsafeMutableBufferPointer { buffer in
            prefix.withCString { prefix in
                // A count of 0 asks for the scheme's default cost; no random bytes means libxcrypt draws its own.
                crypt_gensalt_rn(prefix, 0, nil, 0, buffer.baseAddress, count)
            }
        }
        guard result != nil else { return nil }
        return output.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// Hashes `passphrase` with `setting` (a setting string or a whole stored hash), or `nil` on any failure.
    static func hash(passphrase: String, setting: String) -> String? {
        guard !passphrase.utf8.contains(0), passphrase.utf8.count <= Self.maximumPassphraseLength,
            !setting.utf8.contains(0)
        else { return nil }
        let data = UnsafeMutableRawPointer.allocate(
            byteCount: MemoryLayout<crypt_data>.size,
            alignment: MemoryLayout<crypt_data>.alignment
        )
        data.initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<crypt_data>.size)
        defer {
            data.initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<crypt_data>.size)
            data.deallocate()
        }
        let typed = data.bindMemory(to: crypt_data.self, capacity: 1)
        let size = Int32(MemoryLayout<crypt_data>.size)
        let result = passphrase.withCString { passphrase in
            setting.withCString { setting in
                crypt_rn(passphrase, setting, typed, size)
            }
        }
        guard let result else { return nil }
        let hash = String(cString: result)
        // crypt_rn returns NULL on failure, but never trust a failure token ("*0", "*1") as a hash.
        guard !hash.isEmpty, !hash.hasPrefix("*") else { return nil }
        return hash
    }
}
