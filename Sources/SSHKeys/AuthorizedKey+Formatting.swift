extension AuthorizedKey {
    /// The entry as one `authorized_keys` line, without a newline: `[options] keytype base64-key [comment]`.
    ///
    /// Options are written comma-separated in their order, values in double quotes with `"` escaped as `\"`.
    /// ``AuthorizedKeys/parse(_:)`` reads the line back to an equal entry (the ``line`` number aside) for every
    /// entry it produces.
    public var authorizedKeysLine: String {
        var line = ""
        if !self.options.isEmpty {
            line = self.options.map { option in
                guard let value = option.value else { return option.name }
                return option.name + "=\"" + value.replacingOccurrences(of: "\"", with: "\\\"") + "\""
            }.joined(separator: ",")
            line += " "
        }
        return line + self.key.openSSHLine(comment: self.comment)
    }
}
