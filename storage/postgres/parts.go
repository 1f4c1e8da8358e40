package postgres

// The backend's four parts own their tables (migrations 0001 subscribers,
// 0002 broadcasts/runs/deliveries, 0003 engagement and the admin side,
// 0004 sequences) and meet only through these functions, each named
// …Tx because it works inside the caller's transaction:
//
//   - subscribers: updateSubscribersTx, subscriberBySeqTx,
//     subscribersBySeqTx, subscriberSeqsTx, index (the audience index,
//     built at start)
//   - broadcasts, runs, deliveries: createBroadcastTx, broadcastTx,
//     putBroadcastTx, deleteBroadcastTx, startRunTx, runTx, putRunTx,
//     deleteRunTx, addDeliveriesTx, deliveriesTx
//   - engagement: recordTapsTx, deleteBroadcastEngagementTx, eachResponseTx
//   - sequences: noteChanged, noteTriggers, committed (after each commit)
