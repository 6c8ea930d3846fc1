// Proving ownership of a stream to a signaling server: the broadcaster signs the
// server's nonce with the stream key. The signature covers a domain prefix of its own,
// so no nonce a server could choose ever yields a valid chunk-header signature.
#pragma once

#include "trust/keys.hpp"

namespace swarmcast::trust {

Signature sign_challenge(const SecretKey& key, ByteView nonce);
bool verify_challenge(const PublicKey& key, ByteView nonce, const Signature& signature);

}  // namespace swarmcast::trust
