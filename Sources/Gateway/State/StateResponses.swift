// The answers of the state route, built in one place for the handler and the registry.
import HTTPServer

enum StateResponses {
    /// Headers every answer of the state route carries (contract §2: no-store on 200 and 304).
    static func common(etag: String, extra: [(String, String)]) -> [(String, String)] {
        [("ETag", etag), ("Cache-Control", "no-store")] + extra
    }

    /// 200 with the state as JSON.
    static func ok(_ view: StateView, extra: [(String, String)]) -> HTTPResponse {
        HTTPResponse(status: 200,
                     headers: [("Content-Type", "application/json")] + common(etag: view.etag, extra: extra),
                     body: .bytes(Array(view.json.utf8)))
    }

    /// 304 with the unchanged ETag.
    static func notModified(etag: String, extra: [(String, String)]) -> HTTPResponse {
        HTTPResponse(status: 304, headers: common(etag: etag, extra: extra))
    }
}
