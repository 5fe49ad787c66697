package castdata

import (
	"time"

	"github.com/nhs-companion/companion/server/gp"
)

// The cast's remote monitoring: readings sent from home, as the sandbox
// seeds them. Amara checks her blood pressure at home each morning, as her
// practice asked; George is on the practice's virtual ward after a chest
// infection, and Priya sends his readings twice a day. Each reading's
// attention is written out, not computed, so a test can check it against
// the plans' thresholds (monitoring_test.go).

// Reading is one seeded reading, without its patient or times.
type Reading struct {
	Sign      gp.VitalSign
	Values    []float64
	Attention gp.Attention
	Direction string
	Note      string
}

// Series is a cast member's seeded readings: one round at each of Times
// each day, the rounds taken in turn.
type Series struct {
	// Times are the times of day, in the practice's zone, a round is taken
	// at (after midnight).
	Times []time.Duration
	// Rounds are the readings of each round, oldest first; the sandbox
	// gives the newest the latest of Times already past, the one before
	// the time before, and so on. A round's readings are taken a minute
	// apart, in order.
	Rounds [][]Reading
}

// Monitoring is the cast's seeded readings, by NHS number.
var Monitoring = map[string]Series{
	// Amara: ten mornings of home blood pressure, three of them amber, none
	// red, coming down.
	"9990000018": {
		Times: []time.Duration{7*time.Hour + 40*time.Minute},
		Rounds: [][]Reading{
			{bp(142, 88, gp.AttentionAmber, "high", "Took it twice, this is the second one.")},
			{bp(138, 86, gp.AttentionAmber, "high", "")},
			{bp(131, 82, "", "", "")},
			{bp(136, 83, gp.AttentionAmber, "high", "Rushed this morning.")},
			{bp(129, 81, "", "", "")},
			{bp(133, 84, "", "", "")},
			{bp(128, 80, "", "", "")},
			{bp(130, 78, "", "", "")},
			{bp(127, 79, "", "", "")},
			{bp(132, 80, "", "", "")},
		},
	},
	// George: three days of the virtual ward, morning and evening, his
	// temperature and pulse settling as the infection clears.
	"9990000042": {
		Times: []time.Duration{8 * time.Hour, 18 * time.Hour},
		Rounds: [][]Reading{
			ward(bp(134, 78, "", "", ""), one(gp.Pulse, 96, gp.AttentionAmber, "high"),
				one(gp.OxygenSaturation, 95, gp.AttentionAmber, "low"), one(gp.Temperature, 38.3, gp.AttentionAmber, "high"),
				"Bit breathless on the stairs. Taking paracetamol."),
			ward(bp(128, 76, "", "", ""), one(gp.Pulse, 92, gp.AttentionAmber, "high"),
				one(gp.OxygenSaturation, 96, "", ""), one(gp.Temperature, 38.0, "", ""), ""),
			ward(bp(130, 74, "", "", ""), one(gp.Pulse, 88, "", ""),
				one(gp.OxygenSaturation, 96, "", ""), one(gp.Temperature, 37.8, "", ""), ""),
			ward(bp(126, 72, "", "", ""), one(gp.Pulse, 86, "", ""),
				one(gp.OxygenSaturation, 96, "", ""), one(gp.Temperature, 37.6, "", ""), "Ate a proper dinner."),
			ward(bp(128, 74, "", "", ""), one(gp.Pulse, 82, "", ""),
				one(gp.OxygenSaturation, 96, "", ""), one(gp.Temperature, 37.4, "", ""), ""),
			ward(bp(124, 70, "", "", ""), one(gp.Pulse, 78, "", ""),
				one(gp.OxygenSaturation, 96, "", ""), one(gp.Temperature, 37.2, "", ""), ""),
		},
	},
}

func bp(systolic, diastolic float64, a gp.Attention, direction, note string) Reading {
	return Reading{Sign: gp.BloodPressure, Values: []float64{systolic, diastolic}, Attention: a, Direction: direction, Note: note}
}

func one(sign gp.VitalSign, value float64, a gp.Attention, direction string) Reading {
	return Reading{Sign: sign, Values: []float64{value}, Attention: a, Direction: direction}
}

// ward is one virtual-ward round, the note (if any) on its temperature.
func ward(bp, pulse, spo2, temp Reading, note string) []Reading {
	temp.Note = note
	return []Reading{bp, pulse, spo2, temp}
}
