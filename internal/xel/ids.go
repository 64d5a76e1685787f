package xel

import "github.com/google/uuid"

// Namespace is the UUIDv5 namespace of catalogue ids: uuid.NewSHA1(uuid.NameSpaceURL,
// "https://xentree.com/xel/catalogue"), written out so it can never drift. Changing it would
// change every module and task id, orphaning learners' progress: never change it.
var Namespace = uuid.MustParse("2e73f8b6-4679-5b2a-a6b3-590c61deda44")

// ModuleID is the id of the module with this slug: UUIDv5(Namespace, slug).
func ModuleID(moduleSlug string) uuid.UUID {
	return uuid.NewSHA1(Namespace, []byte(moduleSlug))
}

// TaskID is the id of a task: UUIDv5(Namespace, moduleSlug + "/" + taskSlug). Slugs never
// contain "/", so task names cannot collide with module names; a task moved to another module
// is a new task.
func TaskID(moduleSlug, taskSlug string) uuid.UUID {
	return uuid.NewSHA1(Namespace, []byte(moduleSlug+"/"+taskSlug))
}
