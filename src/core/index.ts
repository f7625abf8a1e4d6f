/**
 * @module tabchain's consensus core: pure TypeScript, no I/O. Everything the node, the UI and
 * the tests use from core comes through here.
 */

// Encoding
export { ByteReader } from './encoding/byte-reader.ts';
export { ByteWriter, varintSize } from './encoding/byte-writer.ts';
export { DecodeError, type DecodeErrorCode } from './encoding/decode-error.ts';
export { bytesEqual, bytesToHex, hashToHex, hexToBytes, hexToHash } from './encoding/hex.ts';

// Hashing, keys, addresses
export { sha256, sha256d, taggedHash } from './crypto/hash.ts';
export {
  PUBLIC_KEY_SIZE,
  SECRET_KEY_SIZE,
  SIGNATURE_SIZE,
  generateSecretKey,
  isValidPublicKey,
  isValidSecretKey,
  publicKeyOf,
  schnorrSign,
  schnorrVerify,
  type SignatureJob,
} from './crypto/keys.ts';
export { DEFAULT_SIGNATURE_CACHE_SIZE, VerifiedSignatureCache } from './crypto/verified-signature-cache.ts';
export { ADDRESS_VERSION, AddressError, decodeAddress, encodeAddress, type AddressErrorCode } from './crypto/address.ts';

// Primitives and codecs
export { HEADER_SIZE, blockHash, decodeHeader, encodeHeader, headerHash, readHeader, type BlockHeader } from './primitives/header.ts';
export {
  INPUT_SIZE,
  MIN_TX_SIZE,
  OUTPUT_SIZE,
  decodeTx,
  encodeTx,
  isCoinbase,
  readTx,
  txSize,
  txid,
  txidBytes,
  writeTx,
  type CoinbaseData,
  type Transaction,
  type TxInput,
  type TxOutput,
} from './primitives/transaction.ts';
export { blockSize, decodeBlock, encodeBlock, type Block } from './primitives/block.ts';
export { DEFAULT_LIMITS, type CodecLimits } from './primitives/limits.ts';
export { plainDecoder, type Decoder } from './primitives/decoder.ts';

// Consensus rules
export { COIN, type NetworkName, type NetworkParams } from './consensus/params.ts';
export { isNetworkName, mainParams, networks, PUBLIC_NETWORKS, regtestParams, testParams } from './consensus/networks.ts';
export { buildGenesis, type GenesisSpec } from './consensus/genesis.ts';
export {
  bitsFromTarget,
  checkProofOfWork,
  decodeCompact,
  hashToBigInt,
  targetFromBits,
  validTarget,
  workFromBits,
  type CompactValue,
} from './consensus/pow.ts';
export { asertTarget, medianTime, nextBits, requiredBits, type DifficultyPoint } from './consensus/difficulty.ts';
export { computeMerkleRoot, type MerkleResult } from './consensus/merkle.ts';
export { blockSubsidy } from './consensus/subsidy.ts';
export { sighashes, signTransaction, type SpentOutput, type UnsignedTransaction } from './consensus/sighash.ts';
export { TX_VERSION, badSignature, checkTransactionInputs, checkTransactionSanity, signatureJobs, type InputCheck } from './consensus/check-transaction.ts';
export { SignatureChecks, verifyInProcess, type VerifyBatch } from './consensus/signature-checks.ts';
export { checkBlockSanity, checkHeaderSanity } from './consensus/check-block-sanity.ts';
export { checkBlockContext, checkHeaderContext, type BlockContext } from './consensus/check-block-context.ts';
export { connectBlock, connectBlockChecked, disconnectBlock, type ConnectedBlock } from './consensus/connect-block.ts';
export { accept, reject, softened, type RejectCode, type Rejection, type Result } from './consensus/rejection.ts';

// Chain state
export { outpointKey, type Coin, type CoinView, type OutpointKey, type SpentCoin } from './coins/coin.ts';
export { CoinCache, MapCoinView } from './coins/coin-cache.ts';
export { MemoryChainStore } from './chain/memory-chain-store.ts';
export { addressEntries, comparePositions } from './chain/address-index.ts';
export { DEFAULT_ORPHAN_LIMITS, OrphanPool, type OrphanLimits } from './chain/orphan-pool.ts';
export {
  Chain,
  type BlockOutcome,
  type ChainBlockEvent,
  type ChainEvents,
  type ChainOptions,
  type ChainTip,
  type ChainTipInfo,
  type HeaderOutcome,
  type TipChangedEvent,
} from './chain/chain.ts';
export type { BlockIndexEntry } from './chain/block-index.ts';

// Mempool and mining
export { Mempool, type AcceptedTx, type MempoolConfig, type MempoolEntry, type MempoolEvents } from './mempool/mempool.ts';
export { coinbaseTx, createBlockTemplate, withCoinbase, type TemplateInput } from './mempool/block-template.ts';

// The node
export { Node, type NodeEvents, type NodeOptions } from './node/node.ts';
export { DEFAULT_PENDING_LIMITS, MemoryPendingTxStore, type PendingLimits } from './node/pending-tx-store.ts';

// Peers
export { BanList, DEFAULT_BAN_SECONDS, MemoryBanStore } from './net/ban-list.ts';
export { Network, type LinkHandle, type LinkPort, type NetworkEvents, type NetworkOptions, type NodeIdentity, type PeerInfo, type PeerState, type SyncProgress } from './net/network.ts';
export { PEER_ID_PATTERN, identityDigest, peerIdOf, roomContext, signIdentity, verifyIdentity, type PeerId } from './net/peer-identity.ts';
export { SIGNALING_MAX_PAYLOAD, parseJsonSafely, type ClientMessage, type ServerMessage, type SignalData, type SignalingErrorCode } from './net/signaling-messages.ts';

// Ports and utilities
export type { Ban, BanStore } from './ports/ban-store.ts';
export type { AddressIndexEntry, AddressPage, AddressTx, ChainStore, ChainWrite, StoredBlockIndex, TxPosition } from './ports/chain-store.ts';
export type { Clock } from './ports/clock.ts';
export type { MinerPort, MinerStatus } from './ports/miner-port.ts';
export type { PendingTxRecord, PendingTxStore } from './ports/pending-tx-store.ts';
export type { SignatureVerifier } from './ports/signature-verifier.ts';
export { Emitter, type Unsubscribe } from './util/emitter.ts';

// Wallet
export { WalletError, type WalletErrorCode } from './wallet/wallet-error.ts';
export { MIN_PASSPHRASE_BITS, MIN_PASSPHRASE_LENGTH, STRONG_PASSPHRASE_BITS, passphraseStrength, type PassphraseLevel, type PassphraseStrength } from './wallet/passphrase-strength.ts';
export { COIN_TYPES, derivationPath, deriveKey, generateMnemonic, mnemonicToSeed, validateMnemonic, type DerivationScheme, type DerivedKey } from './wallet/keychain.ts';
export { formatCoins, parseAmount, parseCoins } from './wallet/parse-amount.ts';
export { paymentSize, selectCoins, type CoinSelection, type CoinSelectionRequest, type SelectableCoin } from './wallet/coin-selection.ts';
export { buildPayment, type Payment, type PaymentRequest, type WalletCoin } from './wallet/build-payment.ts';
export { isImmature, isSpendablePending, walletBalance, type PendingOutput, type WalletBalance, type WalletBalanceInput } from './wallet/balance.ts';

// Mining
export { headerMidstate, searchNonces, sha256dHeader, type NonceSearchResult } from './mining/sha256-midstate.ts';

// Network: wire messages, their frames and chunks, per-peer rate limits (docs/protocol.md)
export { INV_BLOCK, INV_TX, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION, WIRE_LIMITS, type InvItem, type Message, type MessageType } from './net/messages.ts';
export { FRAME_HEADER_SIZE, MAX_TOTAL_WORK_BYTES, MESSAGE_TYPE_CODES, WIRE_MAGIC, decodeMessage, encodeMessage, peekHeader, type FrameHeader } from './net/wire-codec.ts';
export {
  CHUNK_HEADER_SIZE,
  DEFAULT_STALL_MS,
  FIRST_CHUNK_HEADER_SIZE,
  Reassembler,
  splitMessage,
  type ChunkError,
  type ChunkErrorReason,
  type ReassemblerOptions,
  type ReassemblyResult,
} from './net/chunking.ts';
export { ByteBudget, DEFAULT_PEER_RATES, TokenBucket } from './net/rate-limit.ts';
