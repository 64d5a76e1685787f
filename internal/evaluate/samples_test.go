package evaluate

// sample is one task with answers written at A1, B1 and C1.
type sample struct {
	name       string
	kind       Kind
	prompt     string
	a1, b1, c1 string
}

var samples = []sample{
	{
		name:   "weekend",
		kind:   Writing,
		prompt: "Describe your last weekend. What did you do, and who were you with?",
		a1:     `My weekend was good. On Saturday I go to the park with my sister. We play football. It was sunny and hot. In the evening we eat pizza at home. On Sunday I am tired. I watch TV and I sleep. I like the weekend.`,
		b1:     `Last weekend was really relaxing. On Saturday morning I met my best friend Anna in the city centre and we went shopping, because she needed a new dress for her cousin's wedding. After that, we had lunch in a small Italian restaurant near the river. The food was delicious, but it was quite expensive. In the evening I stayed at home and watched a film with my parents. On Sunday it rained all day, so I didn't go out. Instead, I finished my homework and called my grandmother, who lives in another town. I think it was a nice weekend, although I would like to do more sport next time.`,
		c1: `Although I had planned a quiet weekend, it turned out to be surprisingly eventful. On Saturday morning, a close friend who had recently moved to the coast invited me to spend the day with her, so I caught an early train and arrived just as the fog was lifting over the harbour. We wandered through the old town, which has been carefully restored, and ended up in a tiny seafood restaurant run by a retired fisherman. What struck me most was how unhurried everything felt compared with life in the city.

On Sunday, by contrast, I stayed at home and caught up on the reading I had been neglecting for weeks. I also cooked an elaborate lunch for my parents, which, admittedly, took far longer than I had anticipated. Nevertheless, it was worth the effort: we spent the whole afternoon talking and, for once, nobody checked their phone. Looking back, the combination of a spontaneous trip and a slow day at home was exactly what I needed.`,
	},
	{
		name:   "favourite place",
		kind:   Writing,
		prompt: "Write about your favourite place in your town or city. Describe it and explain why you like it.",
		a1:     `My favourite place is the park. It is big and green. There are many trees and flowers. I go there every day with my dog. My brother like the park too. I sit on a bench and I read a book. The park is quiet and beautiful. I am happy there.`,
		b1:     `My favourite place in my town is the old library near the main square. It is a beautiful building with big windows and a lot of comfortable chairs, so it is perfect for reading and studying. I usually go there on Tuesday afternoons after my English class. The staff are very friendly, and they often help me when I am looking for a book. I like it because it is always quiet, which is unusual in the centre of a busy town. There is also a small café on the ground floor where I sometimes meet my friends. In my opinion, every town needs a place like this.`,
		c1: `If I had to choose one place in my city that I would genuinely miss if I moved away, it would be the covered market on the east side of the river. Built at the end of the nineteenth century, it was almost demolished in the 1980s, but local residents campaigned successfully to preserve it, and it has since been transformed into a lively hub of independent traders.

What appeals to me is not merely the food, although the variety is remarkable, but the atmosphere. Unlike the anonymous supermarkets on the outskirts, the market encourages conversation: stallholders remember your name, recommend what is in season and occasionally argue good-naturedly about whose bread is better. Furthermore, it attracts an extraordinarily diverse crowd, from students on a tight budget to elderly couples who have shopped there for decades. For me, it embodies what a city centre should be: a shared space where people from different backgrounds actually meet, rather than simply pass each other by.`,
	},
	{
		name:   "technology",
		kind:   Writing,
		prompt: "Some people think that technology makes our lives better, while others believe it causes more problems. What is your opinion?",
		a1:     `I like technology. I have a phone and a computer. I use my phone every day. I talk with my friends and I watch videos. It is good. But sometimes I play games too much and my mother is angry. My father say phones are bad. I think technology is good for me.`,
		b1:     `In my opinion, technology makes our lives better, but it also causes some problems. First of all, the internet helps us to find information very quickly. For example, when I have a question for my homework, I can find the answer in a few minutes. Also, smartphones allow us to stay in contact with friends and family who live far away. However, many people spend too much time on their phones, and they don't talk to each other at dinner anymore. Some children play video games all day instead of doing sport, which is bad for their health. To sum up, I think technology is useful if we use it carefully.`,
		c1: `Whether technology improves our lives or merely complicates them is a question that rarely has a simple answer, since it largely depends on how we choose to use it. On the one hand, it is undeniable that digital tools have transformed access to knowledge and services: patients in remote areas can now consult specialists online, and students can attend lectures from universities on the other side of the world. Such developments would have been unimaginable a generation ago.

On the other hand, the constant connectivity that makes these benefits possible also carries considerable costs. Many people find it increasingly difficult to concentrate, and there is growing evidence that excessive use of social media contributes to anxiety, particularly among teenagers. Moreover, the convenience of automated systems can gradually erode skills we once took for granted.

On balance, I would argue that technology is neither a blessing nor a curse in itself. Its impact is determined by the habits and regulations we develop around it, and it is therefore our responsibility to shape it deliberately rather than passively adapt to it.`,
	},
	{
		name:   "holiday email",
		kind:   Writing,
		prompt: "Write an email to a friend about a holiday you are planning. Say where you are going, who with, and what you want to do there.",
		a1:     `Hi Tom, How are you? I am fine. In July I go to Spain with my family. We go by plane. We stay in a hotel near the beach. I want to swim in the sea and eat paella. My sister want to visit Barcelona. I am very happy. See you soon, Maria`,
		b1: `Hi Tom,
I hope you're well! I'm writing to tell you about my plans for the summer. In July I'm going to travel to Portugal with my cousin Ben for ten days. We've already booked a small apartment in Lisbon, which is close to the old town. We want to visit the castle and the famous tower, and of course we're going to try the local food, especially the fish. After a few days in the city, we're planning to take a train to the coast, because Ben loves surfing and I'd like to relax on the beach. Have you ever been to Portugal? If you have any tips, please let me know!
Best wishes,
Maria`,
		c1: `Dear Tom,
I hope this finds you well and that the new job is treating you kindly. I've been meaning to write for ages, partly because I wanted to tell you about a trip I've finally committed to: in early September, my brother and I are going to spend three weeks walking the northern route of the Camino de Santiago.

It's something we've talked about since we were teenagers, but there was always a reason to postpone it. This year, having both reached a point where we could take unpaid leave, we decided it was now or never. The route follows the coast for much of the way, so we're hoping to combine long days of walking with the occasional swim, and we've deliberately avoided booking accommodation in advance so that we can adapt the pace to how our legs are holding up.

Admittedly, I'm slightly apprehensive about the distances involved, and my brother is far fitter than I am. Nevertheless, I suspect the experience will be worth every blister. If you've got any advice on equipment, I'd be grateful to hear it; otherwise, I'll send you a postcard from Santiago.

All the best,
Maria`,
	},
	{
		name:   "job or studies (speaking)",
		kind:   Speaking,
		prompt: "Talk about your job or your studies. What do you do, and what do you like about it?",
		a1:     `Um, I am a student. I study... um... English and maths. My school is, uh, big. I like my teacher. She is nice. Um, I go to school by bus. I like, uh, English because it is, um, easy. I don't like maths.`,
		b1:     `Well, I'm a student at the university, and, um, I'm studying economics. It's my second year now. I really like it because the subjects are interesting, for example we learn how, how companies make decisions. The lectures are sometimes difficult, uh, but my classmates help me when I don't understand something. In my free time I work in a café, so I'm quite busy. Um, I think economics will be useful for my future job, although I'm not sure yet what I want to do.`,
		c1:     `I work as a project manager for a company that designs water treatment systems, which, to be honest, is not something I ever imagined myself doing when I was at university. What I find most rewarding is that every project is different: one month we might be negotiating with a local council, and the next we're troubleshooting a pilot plant that isn't performing as expected. The downside, admittedly, is that deadlines can be brutal, and there are weeks when I barely see my family. Nevertheless, I'd say the variety more than makes up for the pressure, and I've learned an enormous amount about communicating technical ideas to people who aren't engineers.`,
	},
}
