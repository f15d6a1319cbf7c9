//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// How a client authenticates (`lf.a2a.v1.SecurityScheme`), a oneof written as its single key:
/// `{"httpAuthSecurityScheme": {"scheme": "Bearer"}}`.
public enum SecurityScheme: Sendable, Hashable {
    case apiKey(APIKeySecurityScheme)
    case httpAuth(HTTPAuthSecurityScheme)
    case oauth2(OAuth2SecurityScheme)
    case openIdConnect(OpenIdConnectSecurityScheme)
    case mutualTLS(MutualTLSSecurityScheme)
}

extension SecurityScheme: Codable {
    enum CodingKeys: String, CodingKey {
        case apiKeySecurityScheme, httpAuthSecurityScheme, oauth2SecurityScheme, openIdConnectSecurityScheme, mtlsSecurityScheme
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let scheme = try container.decodeIfPresent(APIKeySecurityScheme.self, forKey: .apiKeySecurityScheme) {
            self = .apiKey(scheme)
        } else if let scheme = try container.decodeIfPresent(HTTPAuthSecurityScheme.self, forKey: .httpAuthSecurityScheme) {
            self = .httpAuth(scheme)
        } else if let scheme = try container.decodeIfPresent(OAuth2SecurityScheme.self, forKey: .oauth2SecurityScheme) {
            self = .oauth2(scheme)
        } else if let scheme = try container.decodeIfPresent(OpenIdConnectSecurityScheme.self, forKey: .openIdConnectSecurityScheme) {
            self = .openIdConnect(scheme)
        } else if let scheme = try container.decodeIfPresent(MutualTLSSecurityScheme.self, forKey: .mtlsSecurityScheme) {
            self = .mutualTLS(scheme)
        } else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "Unknown security scheme"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .apiKey(let scheme): try container.encode(scheme, forKey: .apiKeySecurityScheme)
        case .httpAuth(let scheme): try container.encode(scheme, forKey: .httpAuthSecurityScheme)
        case .oauth2(let scheme): try container.encode(scheme, forKey: .oauth2SecurityScheme)
        case .openIdConnect(let scheme): try container.encode(scheme, forKey: .openIdConnectSecurityScheme)
        case .mutualTLS(let scheme): try container.encode(scheme, forKey: .mtlsSecurityScheme)
        }
    }
}

/// An API key sent in a header, query parameter or cookie.
public struct APIKeySecurityScheme: Sendable, Hashable, Codable {
    public var description: String?
    /// `header`, `query` or `cookie`.
    public var location: String
    public var name: String

    public init(description: String? = nil, location: String, name: String) {
        self.description = description
        self.location = location
        self.name = name
    }
}

/// HTTP authentication such as `Bearer`.
public struct HTTPAuthSecurityScheme: Sendable, Hashable, Codable {
    public var description: String?
    public var scheme: String
    public var bearerFormat: String?

    public init(description: String? = nil, scheme: String, bearerFormat: String? = nil) {
        self.description = description
        self.scheme = scheme
        self.bearerFormat = bearerFormat
    }
}

/// OAuth 2.0; the flows are kept as free-form JSON since this server never runs them.
public struct OAuth2SecurityScheme: Sendable, Hashable, Codable {
    public var description: String?
    public var flows: JSONObject
    public var oauth2MetadataUrl: String?

    public init(description: String? = nil, flows: JSONObject, oauth2MetadataUrl: String? = nil) {
        self.description = description
        self.flows = flows
        self.oauth2MetadataUrl = oauth2MetadataUrl
    }
}

/// OpenID Connect discovery.
public struct OpenIdConnectSecurityScheme: Sendable, Hashable, Codable {
    public var description: String?
    public var openIdConnectUrl: String

    public init(description: String? = nil, openIdConnectUrl: String) {
        self.description = description
        self.openIdConnectUrl = openIdConnectUrl
    }
}

/// Mutual TLS.
public struct MutualTLSSecurityScheme: Sendable, Hashable, Codable {
    public var description: String?

    public init(description: String? = nil) {
        self.description = description
    }
}

/// The schemes a request must satisfy together (`lf.a2a.v1.SecurityRequirement`):
/// `{"schemes": {"bearer": {"list": []}}}`.
public struct SecurityRequirement: Sendable, Hashable, Codable {
    /// Scopes per scheme name.
    public struct Scopes: Sendable, Hashable, Codable {
        public var list: [String]

        public init(_ list: [String] = []) {
            self.list = list
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.list = try container.decodeIfPresent([String].self, forKey: .list) ?? []
        }

        enum CodingKeys: String, CodingKey {
            case list
        }
    }

    public var schemes: [String: Scopes]

    public init(schemes: [String: Scopes]) {
        self.schemes = schemes
    }
}
