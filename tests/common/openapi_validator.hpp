#pragma once

#include <simdjson.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eventsubd::testing {

/// Checks real requests and responses against an OpenAPI 3.0.3 document, with a small
/// JSON Schema validator for the subset the document may use:
/// `$ref` (local, `#/...`), `type` (object, array, string, integer, number, boolean),
/// `nullable`, `enum`, `required`, `properties`, `additionalProperties` (bool or schema),
/// `items`, `minItems`/`maxItems`, `minLength`/`maxLength`, `pattern`,
/// `minimum`/`maximum` (and the boolean `exclusiveMinimum`/`exclusiveMaximum`),
/// `allOf`/`anyOf`/`oneOf`; annotations (`description`, `example`, `default`, `format`,
/// `title`, ...) are ignored. Any other keyword is an error, so a schema can never pass
/// because the validator skipped what it says. Errors are returned as readable strings;
/// an empty list means valid.
class openapi_validator {
 public:
  using header_map = std::map<std::string, std::string>;  // names in any case
  using element = simdjson::dom::element;

  /// Parses `document`; throws std::runtime_error if it is not a JSON object.
  explicit openapi_validator(std::string document);

  element root() const { return root_; }
  const std::string& text() const { return text_; }

  /// The element a local reference (`#/components/schemas/Error`) names.
  std::optional<element> resolve(std::string_view ref) const;

  /// Errors of `instance` against `schema` (an element of this document).
  std::vector<std::string> validate(element schema, element instance) const;
  /// The same for JSON text; text that does not parse is an error.
  std::vector<std::string> validate_json(element schema, std::string_view json) const;
  /// The same for the schema a reference names (an unknown reference is an error).
  std::vector<std::string> validate_json(std::string_view schema_ref,
                                         std::string_view json) const;

  /// Unresolvable `$ref`s, `$ref`s with sibling keys (ignored by OpenAPI 3.0) and
  /// unsupported keywords anywhere a schema is allowed in the document.
  std::vector<std::string> lint() const;

  struct operation {
    std::string method;         // lowercase, as in the document: "get"
    std::string path_template;  // "/streamers/{username}"
    element item;               // the path item
    element op;                 // the operation object
  };

  /// Every operation, in document order.
  std::vector<operation> operations() const;
  /// The documented path a concrete path (no query) matches; templated segments
  /// (`{name}`) match one non-empty segment, literal matches win.
  std::optional<std::string> match_path(std::string_view path) const;
  /// The methods a documented path has, uppercase, in document order.
  std::vector<std::string> methods(std::string_view path_template) const;
  /// The operation for a request; `target` may carry a query string.
  std::optional<operation> find(std::string_view method, std::string_view target) const;
  /// Whether the operation's effective security requirement needs a credential.
  bool requires_auth(const operation& op) const;
  /// The documented status codes of an operation ("200", "4XX", "default", ...).
  std::vector<std::string> statuses(const operation& op) const;

  /// Errors of a request against its operation: path, query and header parameters
  /// (required ones present, values valid against their schemas) and the JSON body
  /// against `requestBody` for the given Content-Type.
  std::vector<std::string> check_request(const operation& op, std::string_view target,
                                         const header_map& headers,
                                         std::string_view body) const;

  /// Errors of a real response against the operation: the status must be documented
  /// (exactly, as `4XX`, or by `default`), then as check_response.
  std::vector<std::string> check_operation_response(const operation& op, int status,
                                                    const header_map& headers,
                                                    std::string_view body) const;

  /// Errors of a real response against one response object (or a `$ref` to one):
  /// required headers present and valid, the Content-Type one of the documented media
  /// types (the type must be equal, every parameter of the documented key present with
  /// the same value), and a JSON body valid against that media type's schema (non-JSON
  /// bodies only against a `type: string` schema).
  std::vector<std::string> check_response(element response, const header_map& headers,
                                          std::string_view body) const;

 private:
  void validate_at(element schema, element instance, const std::string& where,
                   std::vector<std::string>& errors, int depth) const;
  void lint_schema(element schema, const std::string& where,
                   std::vector<std::string>& errors, int depth) const;
  element deref(element e) const;  // follows `$ref`s (object with a "$ref" key)

  std::string text_;
  std::unique_ptr<simdjson::dom::parser> parser_;
  element root_;
};

}  // namespace eventsubd::testing
