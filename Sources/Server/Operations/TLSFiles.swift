import HummingbirdTLS
import NIOSSL

/// The PEM files HTTPS is served with: a certificate chain (leaf first) and its private key.
///
/// Only the paths are configuration; `tlsConfiguration()` reads them, so `crm serve` can check
/// them before it opens anything and the server reads them again when it starts.
public struct TLSFiles: Sendable, Equatable {
    /// The certificate chain, PEM, leaf first.
    public var certificatePath: String
    /// The certificate's private key, PEM (unencrypted).
    public var keyPath: String

    public init(certificatePath: String, keyPath: String) {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
    }

    /// The server-side TLS configuration (TLS 1.2 or later) built from the two files.
    ///
    /// - Throws: `NIOSSLError` when a file is missing or is not PEM of the right kind.
    public func tlsConfiguration() throws -> TLSConfiguration {
        let chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        guard !chain.isEmpty else { throw TLSFilesError(detail: "\(certificatePath) holds no PEM certificate") }
        let key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        return TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
    }
}
