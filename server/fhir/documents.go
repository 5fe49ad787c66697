package fhir

func (b *builder) documents() error {
	for i, d := range b.rec.Documents {
		id, err := b.id("DocumentReference", itemID(d.ID, i))
		if err != nil {
			return err
		}
		doc := &documentReference{ResourceType: "DocumentReference", ID: id, Meta: labelled("DocumentReference", d.Sensitive),
			Status: "current", Type: concept(d.Type), Subject: b.patient, Description: d.Title,
			Content: []content{{Attachment: attachment{ContentType: d.ContentType, Data: d.Body, Title: d.Title, Creation: d.Date.String()}}}}
		if d.ContentType == "" {
			// Data needs a type (att-1); bytes of unknown type are an octet stream.
			doc.Content[0].Attachment.ContentType = "application/octet-stream"
		}
		if doc.Type == nil && d.Title != "" {
			doc.Type = &codeableConcept{Text: d.Title}
		}
		if d.Author != "" {
			doc.Author = []reference{{Display: d.Author}}
		}
		// DocumentReference.date is an instant and the record has only a
		// day, so the day goes where a date is allowed.
		if !d.Date.IsZero() {
			doc.Context = &docContext{Period: &period{Start: d.Date.String()}}
		}
		b.add(id, "DocumentReference", doc)
	}
	return nil
}
