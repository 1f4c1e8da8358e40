package platformtest

import "encoding/json"

// decodeMessengerJSON fills req from a JSON Send API body. Text messages,
// the bulk of a broadcast, are read by a byte walk over the validated
// document (see decodeLINESend); anything else goes through encoding/json.
func decodeMessengerJSON(body []byte, req *messengerRequest) error {
	if json.Valid(body) && fastMessenger(body, req) {
		return nil
	}
	*req = messengerRequest{}
	return json.Unmarshal(body, req)
}

func fastMessenger(body []byte, req *messengerRequest) bool {
	return eachField(body, func(key string, v []byte) bool {
		switch key {
		case "recipient":
			return eachField(v, func(k string, v []byte) bool {
				return k != "id" || fastString(v, &req.Recipient.ID)
			})
		case "messaging_type":
			return fastString(v, &req.MessagingType)
		case "tag":
			return fastString(v, &req.Tag)
		case "sender_action":
			return fastString(v, &req.SenderAction)
		case "access_token":
			return fastString(v, &req.AccessToken)
		case "appsecret_proof":
			return fastString(v, &req.AppsecretProof)
		case "message":
			req.Message = &messengerMessage{}
			return eachField(v, func(k string, v []byte) bool {
				switch k {
				case "text":
					req.Message.Text = new(string)
					return fastString(v, req.Message.Text)
				case "attachment":
					return false // nested payloads: let encoding/json read them
				}
				return true
			})
		}
		return true
	})
}
