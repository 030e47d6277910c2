// SPDX-License-Identifier: Apache-2.0
// AWS credentials for S3 stores: the standard environment variables, else a profile of the
// shared credentials file (~/.aws/credentials). The secret never appears in messages.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace pgopipe::store {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty unless temporary credentials
  std::string source;         // where they came from, for messages ("environment", "file [p]")
};

// Resolves credentials from `env` (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN), else from the profile (`profile`, else AWS_PROFILE, else "default") of
// AWS_SHARED_CREDENTIALS_FILE or $HOME/.aws/credentials. A Config error says what is missing.
Result<AwsCredentials> load_aws_credentials(const std::map<std::string, std::string>& env,
                                            std::string_view profile);

// Parses the INI text of a credentials file and returns the named profile's credentials;
// `where` names the file in errors.
Result<AwsCredentials> parse_credentials_file(std::string_view text, std::string_view profile,
                                              std::string_view where);

}  // namespace pgopipe::store
