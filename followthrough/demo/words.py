"""Hand-written vocabulary for the demo bike shop: names, streets, clubs, bikes and the sentences
people write in a tracking log. Kept small on purpose: the generator combines them."""

SHOP_NAME = "Spoke & Chain Cycles"
SHOP_TIMEZONE = "America/Denver"
SHOP_ADDRESS = "2150 Larimer St\nDenver, CO 80205\nUnited States"

FIRST_NAMES = (
    "Aaron", "Abby", "Adrian", "Aiden", "Alex", "Alicia", "Amara", "Amir", "Ana", "Andre",
    "Angela", "Anika", "Ben", "Bianca", "Blake", "Brenda", "Brooke", "Caleb", "Camila", "Carlos",
    "Carmen", "Casey", "Chloe", "Chris", "Claire", "Colin", "Connor", "Dana", "Daniel", "Dario",
    "Deb", "Derek", "Devon", "Diego", "Dmitri", "Elena", "Eli", "Elise", "Emily", "Emma", "Eric",
    "Erin", "Esther", "Ethan", "Evan", "Fatima", "Felix", "Fiona", "Frank", "Gabe", "Gemma",
    "Grace", "Greg", "Hana", "Hannah", "Hector", "Holly", "Hugo", "Ian", "Imani", "Ines", "Isaac",
    "Ivy", "Jack", "Jade", "Jamal", "James", "Jana", "Jasmine", "Javier", "Jenna", "Jesse",
    "Joan", "Joel", "Jordan", "Julia", "Julian", "Kai", "Karen", "Kate", "Keiko", "Kevin", "Kim",
    "Kyle", "Lana", "Laura", "Leah", "Leo", "Liam", "Lila", "Logan", "Lucia", "Luke", "Mack",
    "Maia", "Malik", "Marco", "Maria", "Mark", "Marta", "Mateo", "Megan", "Mei", "Mia", "Miles",
    "Mira", "Nadia", "Nate", "Nico", "Nina", "Noah", "Nora", "Olivia", "Omar", "Owen", "Paige",
    "Pat", "Paul", "Priya", "Quinn", "Rachel", "Rafael", "Ravi", "Rebecca", "Reed", "Rene",
    "Rosa", "Ruby", "Ryan", "Sadie", "Sam", "Sara", "Scott", "Sean", "Sofia", "Sonia", "Tara",
    "Teresa", "Theo", "Tom", "Tyler", "Uma", "Vera", "Victor", "Wade", "Wes", "Yara", "Yusuf",
    "Zack", "Zoe",
)

LAST_NAMES = (
    "Abbott", "Acosta", "Adams", "Aguilar", "Ahmed", "Alvarez", "Andersen", "Archuleta",
    "Baca", "Bailey", "Baker", "Banks", "Barnes", "Becker", "Bell", "Bennett", "Bishop", "Blake",
    "Boyd", "Brennan", "Brooks", "Bui", "Burke", "Byrne", "Caldwell", "Campbell", "Carter",
    "Castillo", "Chavez", "Chen", "Cho", "Clark", "Cohen", "Coleman", "Collins", "Cooper", "Cruz",
    "Dalton", "Davies", "Delgado", "Diaz", "Dixon", "Doyle", "Duran", "Edwards", "Ellis",
    "Espinoza", "Evans", "Fischer", "Fleming", "Flores", "Ford", "Foster", "Fox", "Franco",
    "Fuller", "Garcia", "Gardner", "Gibson", "Gomez", "Gonzales", "Graham", "Grant", "Gray",
    "Greene", "Gupta", "Hale", "Hansen", "Harper", "Hayes", "Hernandez", "Hill", "Hoffman",
    "Holt", "Horton", "Howard", "Hughes", "Hunt", "Ito", "Jacobs", "Jensen", "Jimenez", "Johnson",
    "Jordan", "Kane", "Kaur", "Keller", "Kelly", "Kennedy", "Khan", "Kim", "Klein", "Knight",
    "Kowalski", "Lambert", "Larsen", "Lee", "Lewis", "Lindqvist", "Lopez", "Lucero", "Lynch",
    "Maestas", "Malone", "Marsh", "Martin", "Martinez", "Mason", "Medina", "Meyer", "Miller",
    "Mitchell", "Montoya", "Moore", "Morales", "Morgan", "Murphy", "Nakamura", "Nelson", "Nguyen",
    "Novak", "Nunez", "O'Brien", "Olsen", "Ortiz", "Owens", "Padilla", "Palmer", "Park", "Patel",
    "Perez", "Perry", "Peters", "Pham", "Porter", "Price", "Quintana", "Ramirez", "Reed", "Reyes",
    "Rivera", "Roberts", "Romero", "Ross", "Russo", "Ryan", "Salazar", "Sanchez", "Sandoval",
    "Schmidt", "Schultz", "Shah", "Shaw", "Silva", "Singh", "Snyder", "Soto", "Stone", "Sullivan",
    "Suzuki", "Tafoya", "Tanaka", "Taylor", "Thompson", "Torres", "Tran", "Trujillo", "Turner",
    "Valdez", "Vargas", "Vasquez", "Vigil", "Wagner", "Walsh", "Ward", "Watts", "Weber", "Wells",
    "West", "White", "Wilson", "Wolfe", "Wong", "Wright", "Yamamoto", "Young", "Zamora",
)

STREETS = (
    "Blake St", "Larimer St", "Lawrence St", "Tennyson St", "S Pearl St", "E Colfax Ave",
    "W 32nd Ave", "Federal Blvd", "S Broadway", "Zuni St", "Osage St", "Santa Fe Dr",
    "E 17th Ave", "Downing St", "York St", "S Gaylord St", "W 38th Ave", "Lowell Blvd",
    "E Evans Ave", "S University Blvd", "Wadsworth Blvd", "Kipling St", "Pearl St", "Arapahoe Ave",
    "Washington Ave", "Ford St", "Sheridan Blvd", "E Iliff Ave", "Quebec St", "Holly St",
)

# (city, first three digits of its ZIP codes)
CITIES = (
    ("Denver", "802"), ("Denver", "802"), ("Denver", "802"), ("Lakewood", "802"),
    ("Aurora", "800"), ("Golden", "804"), ("Arvada", "800"), ("Englewood", "801"),
    ("Littleton", "801"), ("Boulder", "803"), ("Wheat Ridge", "800"), ("Westminster", "800"),
)

# Colorado area codes, so that numbers read as local ones.
AREA_CODES = ("303", "303", "720", "720", "970", "719")

# A few people live elsewhere: snowbirds, a client who moved for work, a touring cyclist abroad.
OTHER_TIMEZONES = (
    "America/New_York", "America/Chicago", "America/Los_Angeles", "America/Phoenix",
    "Europe/London", "America/Chicago",
)

PERSONAL_EMAIL_DOMAINS = ("example.com", "example.org", "mail.example.com", "example.net.test")

INTERESTS = (
    "road cycling", "gravel", "mountain biking", "commuting", "kids bikes", "e-bikes", "racing",
    "touring", "bikepacking", "cyclocross", "triathlon", "bike fitting", "group rides",
    "maintenance classes", "cargo bikes",
)

# What each interest makes them buy and what we share with them.
BIKES: dict[str, tuple[str, ...]] = {
    "road cycling": ("carbon endurance road bike", "aluminium road bike", "road bike"),
    "gravel": ("gravel bike", "steel gravel bike", "carbon gravel bike"),
    "mountain biking": ("trail bike", "hardtail mountain bike", "full-suspension trail bike"),
    "commuting": ("city commuter", "hybrid with fenders and rack", "folding bike"),
    "kids bikes": ("20-inch kids bike", "balance bike", "24-inch kids mountain bike"),
    "e-bikes": ("commuter e-bike", "e-MTB", "step-through e-bike"),
    "racing": ("race bike", "aero road bike", "crit bike"),
    "touring": ("steel touring bike", "touring bike with dynamo lights"),
    "bikepacking": ("bikepacking rig", "gravel bike with frame bags"),
    "cyclocross": ("cyclocross bike",),
    "triathlon": ("triathlon bike", "TT bike"),
    "bike fitting": ("road bike",),
    "group rides": ("endurance road bike",),
    "maintenance classes": ("hybrid",),
    "cargo bikes": ("cargo e-bike", "longtail cargo bike"),
}

SHARES: dict[str, tuple[str, ...]] = {
    "road cycling": ("the spring century calendar", "a route guide for Lookout Mountain"),
    "gravel": ("the new gravel route map for Boulder County", "tubeless tire pressure tips"),
    "mountain biking": ("the Green Mountain trail conditions", "a suspension setup guide"),
    "commuting": ("the city's new protected bike lanes map", "winter commuting tips"),
    "kids bikes": ("the kids' learn-to-ride clinic dates", "a sizing guide for growing riders"),
    "e-bikes": ("battery care tips for cold weather", "the e-bike rebate program details"),
    "racing": ("the criterium series schedule", "an interval training plan from a coach"),
    "touring": ("a packing list from customers who rode the Great Divide", "the tour map"),
    "bikepacking": ("an overnighter route near Buena Vista", "frame bag options"),
    "cyclocross": ("the cross season race calendar", "a mud clearance guide"),
    "triathlon": ("the local tri club's open-water swim dates", "an aero position article"),
    "bike fitting": ("what changed in our fit studio", "a saddle comfort article"),
    "group rides": ("the Saturday group ride schedule", "the no-drop ride calendar"),
    "maintenance classes": ("next month's flat-fix class", "a chain wear article"),
    "cargo bikes": ("a school-run cargo bike story from a customer", "cargo bike accessories"),
}

EVENTS = (
    "Saturday no-drop group ride", "flat-fix clinic", "gravel skills night", "spring open house",
    "kids' learn-to-ride morning", "winter maintenance class", "e-bike demo day",
    "bike-fit workshop", "cross season kickoff",
)

# (what the service department did, what it cost in dollars)
SERVICE_JOBS = (
    ("Tune-up: new chain and cassette, trued the rear wheel", 189),
    ("Tune-up; replaced brake pads and cables", 129),
    ("Flat fixed; set the tires up tubeless", 65),
    ("Brake bleed and new rotors on the e-bike", 165),
    ("Fork service and new grips", 145),
    ("Bottom bracket creak fixed; recommended a fit check", 75),
    ("Built a new front wheel with a dynamo hub", 420),
    ("Overhaul: drivetrain deep clean and new bar tape", 225),
    ("Replaced a worn chainring; checked the e-bike motor firmware", 110),
    ("Tubeless sealant top-up and a pre-ride safety check", 35),
)


# Things worth sending anyone: the shop's own news and what other customers found useful.
GENERAL_SHARES = (
    "the shop's ride calendar for next month", "a tip from another customer on winter storage",
    "the free flat-fix clinic dates", "photos from the Saturday ride",
    "how other riders set up their lights for dark commutes",
)

CHECKINS = (
    "Check-in call: riding a lot, happy with the bike",
    "Check-in: asked how the fit feels after the long rides; all good",
    "Called to see how the season went; planning a bikepacking trip",
    "Check-in: brakes squeal in the wet, booked a quick look",
    "Caught up by phone: training for a spring century",
    "Check-in: kids love their bikes; asked about the next size up",
)

NEEDS = (
    "worried about price", "needs it before the spring season", "wants something low-maintenance",
    "comparing with an online brand", "wants to try before buying", "needs a rack and fenders",
)

# (what they bought, lowest and highest price in dollars)
ACCESSORIES = (
    ("lights and a lock", 90, 160), ("a new helmet", 75, 260),
    ("winter gloves and shoe covers", 70, 140), ("a bike computer", 180, 450),
    ("a trainer for winter", 350, 1100), ("panniers", 110, 220), ("a child seat", 120, 230),
    ("new tires", 90, 170), ("a saddle from the fit studio", 120, 280),
)

# What a bike costs, by what they ride (lowest and highest price in dollars).
BIKE_PRICES: dict[str, tuple[int, int]] = {
    "road cycling": (1400, 4800), "gravel": (1300, 4200), "mountain biking": (1100, 5200),
    "commuting": (650, 1500), "kids bikes": (180, 520), "e-bikes": (2200, 5800),
    "racing": (2800, 7500), "touring": (1300, 2600), "bikepacking": (1500, 3400),
    "cyclocross": (1500, 3600), "triathlon": (2500, 6500), "bike fitting": (1400, 3200),
    "group rides": (1500, 3500), "maintenance classes": (600, 1100), "cargo bikes": (3200, 7200),
}

# What regulars come back for (item, price in dollars): the club racer's monthly tubes and
# sealant, the commuter's brake pads every season, a bigger upgrade twice a year.
CONSUMABLES = (
    ("two inner tubes", 18), ("tubeless sealant", 16), ("chain lube", 14),
    ("energy gels and bars", 34), ("CO2 cartridges", 15), ("bar tape", 32), ("brake pads", 28),
    ("a chain", 45), ("bottles", 24), ("race tires", 140), ("cleats", 28), ("degreaser", 17),
)
PARTS = (
    ("brake pads and cables", 55), ("a chain and cassette", 145), ("new tires", 120),
    ("light batteries and a rear light", 48), ("a rack and fenders", 135),
    ("new grips and bar end plugs", 38), ("a helmet in the next size", 55),
    ("winter tires", 160), ("a new saddle", 120), ("a frame bag", 95), ("a tune-up kit", 65),
)
UPGRADES = (
    ("spring kit: shorts and a jersey", 180), ("a winter jacket and tights", 260),
    ("a pair of carbon wheels", 1150), ("a power meter", 550), ("a dropper post", 380),
    ("a new groupset", 890), ("an e-bike battery", 720), ("a roof rack", 420),
)

# Orders a club, team, school or business places on account (invoiced), by organization kind:
# (what, lowest and highest amount in dollars).
ORDERS: dict[str, tuple[tuple[str, int, int], ...]] = {
    "club": (("club kit order: jerseys and bibs", 1400, 5200),
             ("tubes, tires and tools for the club's ride support", 300, 900),
             ("prizes for the club's season finale", 250, 700)),
    "team": (("race wheels and tires for the team", 1800, 4800),
             ("team kit: skinsuits and warm-ups", 1600, 3900),
             ("a season of team bike service", 1200, 2800)),
    "school": (("helmets and lights for the school bike club", 400, 1300),
               ("season service for the team's bikes", 800, 2400)),
    "business": (("fleet tune-ups for the office commuter bikes", 480, 1400),
                 ("bike-to-work week prizes", 300, 800),
                 ("a cargo bike for deliveries", 4200, 6800)),
}
# Who orders on the organization's account.
ORDER_TITLES = frozenset({"Club president", "Treasurer", "Team manager", "Team coach",
                          "Office manager", "Wellness coordinator", "PTA chair", "Coach", "Owner"})

INBOUND_QUESTIONS = (
    "Asked whether we stock 650b gravel tires",
    "Asked about the Saturday ride start time",
    "Wanted to know when the e-bike battery should be replaced",
    "Asked for a quote to build up a wheel set",
    "Asked if we can fit a rack to a carbon frame",
    "Sent a photo of a noisy derailleur",
    "Asked about trade-in value for their old bike",
    "Wanted a recommendation for a kids' helmet",
)

# (kind, names): the places a shop's customers belong to.
ORGANIZATION_PLACES = (
    "Front Range", "Mile High", "Cherry Creek", "Highlands", "Platte River", "Clear Creek",
    "Bear Creek", "Golden", "Boulder", "Sloan's Lake", "Wash Park", "Five Points", "Sunnyside",
    "Lowry", "Berkeley", "Congress Park", "RiNo", "Baker", "Capitol Hill", "Lakewood",
    "Arvada", "Littleton", "Aurora", "Red Rocks", "Evergreen", "Morrison", "Westminster",
    "Englewood", "Stapleton", "Union Station",
)

ORGANIZATION_KINDS = (
    ("club", "Cycling Club", "Sports club"),
    ("club", "Wheelmen", "Sports club"),
    ("club", "Gravel Collective", "Sports club"),
    ("club", "Junior Racing", "Youth sports"),
    ("club", "Triathlon Club", "Sports club"),
    ("club", "Mountain Bike Association", "Trail advocacy"),
    ("team", "Racing Team", "Racing team"),
    ("team", "Cyclocross Squad", "Racing team"),
    ("business", "Coffee Roasters", "Cafe"),
    ("business", "Physical Therapy", "Healthcare"),
    ("business", "Dental Group", "Healthcare"),
    ("business", "Architects", "Professional services"),
    ("business", "Credit Union", "Financial services"),
    ("business", "Brewing Co.", "Brewery"),
    ("business", "Solar", "Energy"),
    ("business", "Software", "Technology"),
    ("business", "Hotel", "Hospitality"),
    ("school", "Elementary PTA", "Education"),
    ("school", "High School Mountain Bike Team", "Education"),
    ("business", "Outdoor Gear Co-op", "Retail"),
)

TITLES: dict[str, tuple[str, ...]] = {
    "club": ("Club president", "Ride leader", "Treasurer", "Member", "Member", "Member"),
    "team": ("Team coach", "Team manager", "Rider", "Rider", "Rider"),
    "business": ("Owner", "Office manager", "Wellness coordinator", "Engineer", "Designer",
                 "Nurse", "Accountant"),
    "school": ("PTA chair", "Coach", "Parent volunteer", "Teacher"),
}

# Titles that make someone an opinion leader, whatever they spend (DESIGN principle 6).
LEADER_TITLES = frozenset({"Club president", "Ride leader", "Team coach", "PTA chair", "Coach"})

SOLO_INFLUENCER_TITLES = (
    "Bike-fit blogger", "Cycling podcast host", "Bike commuting advocate", "Local race promoter",
)

SKIP_REASONS = (
    "They came in on Saturday and we covered it at the counter.",
    "Already chatted at the group ride; nothing more to add.",
    "Out of the country until next month.",
    "Bike was back in for warranty work; Luis handled it.",
    "Duplicate of the spring tune-up reminder.",
    "They asked to hear from us less often.",
)

LEFT_REASONS = (
    ("Moved to Portland for work", "Gave them the name of a good shop there; wished them well."),
    ("Switched to a shop near their new office", "Thanked them; left the door open."),
    ("Stopped riding after a knee injury", "Sent a card; said we'd love to see them back."),
    ("Moved to Chicago", "Sent a farewell note with a discount for online parts orders."),
)

CONSENT_WORDING = (
    "Yes, send me Spoke & Chain's monthly ride calendar and shop news. I can unsubscribe "
    "at any time."
)

NOTES = (
    "Rides the Tuesday night group ride. Partner also rides; ask about a tandem?",
    "Training for the Triple Bypass in July.",
    "Commutes year-round from Highlands to downtown; hates wet feet.",
    "Two kids, 6 and 9; the older one is outgrowing a 20-inch bike.",
    "Prefers to drop the bike off before 8 am on weekdays.",
    "Very particular about saddle height; always ask Luis.",
    "Runs a coffee shop on Tennyson; happy to put up our ride flyers.",
    "Not ready to buy this season; wants to try an e-bike in the spring.",
    "Met at the spring open house. Asked lots of questions about bikepacking bags.",
    "Referred three friends last year. Thank them properly.",
)

AFTER_SALE = (
    "adjusted the shifting at no charge", "suggested the Saturday no-drop ride",
    "saddle feels right now", "booked the free 30-day cable check",
    "asked about a rack for commuting", "recommended the gravel skills night",
)

# What the shop says after a purchase, when the repeat-purchase playbook asks for it.
THANKS = (
    "Thanked them for coming back; asked how the {item} is working out",
    "Thank-you for the {item}; mentioned the Saturday no-drop ride",
    "Thanked them for the {item}; offered a free fit check",
)
TIPS = (
    "Shared a tip from another customer on setting up {item}",
    "Shared how other riders use {item} on the Front Range climbs",
    "Sent a short video on caring for {item}",
)
MISSED_CALLS = (
    "Called: new job, riding less for now; will come in for a spring tune-up",
    "Called: they had been away for a month; stocking up this weekend",
    "Called: found a cheaper online shop for tubes; offered a club discount",
    "Called: a knee injury, off the bike for a while; wished them well",
)
